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


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install chromium)")
def test_page_does_not_overflow_sideways_at_1024_px(tmp_path):
    """A return in a deep folder (long file paths), long values and worker names: at 1024 px the
    page, and its error table, are no wider than the window."""
    cur = tmp_path / ("a-rather-long-folder-name-for-this-years-extract" * 2) / "current"
    cur.mkdir(parents=True)
    (cur / "header.csv").write_text(HEADER + "1,M,01/01/2010,WBRI,,,\n" + "".join(
        f"{c},{'X' * 60},01/01/2011,WBRI,,,\n" for c in ("2", "3333333333")))
    (cur / "episodes_with_a_long_file_name_from_the_case_management_system_export.csv").write_text(
        EPIS + "1,01/04/2025,S,C2,N1,U1,PR1,01/06/2025,X1,,,,\n1,01/05/2025,P,C2,N1,U4,PR1,,,,,,\n")
    (cur / "sw.csv").write_text("CHILD,DOB,SW_ID,SW_DECOM,SW_DEC,SW_REASON\n2,01/01/2011,SW0001,01/03/2025,,\n")
    (tmp_path / "workers.csv").write_text("SW_ID,Name\nSW0001,Maximiliane Wolff-Hohenstein-Bartholdy\n")
    out = tmp_path / "r.html"
    r = CliRunner().invoke(main, ["validate", str(cur), "--year", "2024-25", "--select", "101,501", "-f", "html",
                                  "-o", str(out), "-q", "--social-workers", str(tmp_path / "workers.csv")])
    assert r.exit_code == 1, r.output
    # The report forbids scripts other than its own, so a page beside it measures it in a 1024 px frame.
    probe = tmp_path / "probe.html"
    probe.write_text(
        '<!DOCTYPE html><html><body style="margin:0"><iframe id="f" src="r.html" style="width:1024px;height:700px;'
        'border:0"></iframe><script>document.getElementById("f").onload = function () {'
        ' const d = this.contentDocument; const t = d.getElementById("errors");'
        ' document.body.setAttribute("data-measure", [d.documentElement.scrollWidth, d.documentElement.clientWidth,'
        ' t.getBoundingClientRect().right, d.body.getAttribute("data-ready")].join(","));'
        '};</script></body></html>')
    p = _chromium(probe.as_uri(), tmp_path, "--allow-file-access-from-files", "--window-size=1100,800", "--dump-dom")
    m = re.search(r'data-measure="(\d+),(\d+),([\d.]+),(\w+)"', p.stdout)
    assert m, p.stdout[:500] + p.stderr[-1500:]
    scroll, client, table_right, ready = int(m.group(1)), int(m.group(2)), float(m.group(3)), m.group(4)
    assert ready == "1"
    assert scroll <= client, f"the page is {scroll} px wide in a {client} px window"
    assert table_right <= client
