"""Episodes that overlap the child's previous episode (rule 501)."""
from lac_validator.registry import rule
from lac_validator.views import neighbour, ordered


@rule("501")
def starts_before_previous_ended(ctx):
    o = ordered(ctx, "Episodes")
    prev = neighbour(ctx, "Episodes", -1)
    return o["DECOM"] < prev["DEC"]
