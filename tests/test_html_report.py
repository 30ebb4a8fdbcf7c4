"""The HTML report in a real headless Chromium: loads with no error, filters work, timeline drawn."""
from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from click.testing import CliRunner

from lac_validator.cli import main

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPIS = "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0"]


@pytest.fixture
def html_report(tmp_path):
    cur = tmp_path / "cur"
    cur.mkdir()
    (cur / "header.csv").write_text(HEADER + "1,M,01/01/2010,WBRI,,,\n2,X,01/01/2011,WBRI,,,\n"
                                    "<script>alert(1)</script>,X,01/01/2012,WBRI,,,\n")
    (cur / "episodes.csv").write_text(EPIS + "1,01/04/2025,S,C2,N1,U1,PR1,01/06/2025,X1,,,,\n1,01/05/2025,P,C2,N1,U4,PR1,,,,,,\n")
    out = tmp_path / "r.html"
    r = CliRunner().invoke(main, ["validate", str(cur), "--year", "2025-26", "--select", "101,501", "-f", "html", "-o", str(out), "-q"])
    assert r.exit_code == 1, r.output
    return out


def test_html_is_self_contained_and_escaped(html_report):
    text = html_report.read_text()
    assert "<SCRIPT>ALERT(1)" not in text and "ALERT(1)" in text  # data only inside escaped JSON
    assert not re.search(r"(src|href)=[\"']https?:", text)
    assert "default-src 'none'" in text


def _chromium(url, tmp_path, *extra):
    return subprocess.run([CHROMIUM, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *extra, url],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
@pytest.mark.parametrize("fragment,shown", [("", "3"), ("#rule=501", "1"), ("#rule=101", "2"),
                                            ("#child=%3CSCRIPT", "1"), ("#category=overlap&rule=101", "0")])
def test_filters_in_browser(html_report, tmp_path, fragment, shown):
    p = _chromium(html_report.as_uri() + fragment, tmp_path, "--dump-dom")
    body = re.search(r"<body[^>]*>", p.stdout).group(0)
    assert 'data-ready="1"' in body, p.stderr[-2000:]
    assert "data-js-error" not in body
    assert f'data-shown="{shown}"' in body
    assert not re.search(r"CONSOLE.*(Error|Uncaught)|Refused to", p.stderr)


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_timeline_is_drawn(html_report, tmp_path):
    p = _chromium(html_report.as_uri(), tmp_path, "--dump-dom")
    dom = p.stdout
    assert dom.count('class="episode"') == 2 and dom.count('class="error-mark"') == 1
    shot = tmp_path / "shot.png"
    _chromium(html_report.as_uri(), tmp_path, "--window-size=1200,1000", f"--screenshot={shot}")
    assert shot.exists() and shot.stat().st_size > 10_000
