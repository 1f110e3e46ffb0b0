"""Script-injection payloads shared by the escaping tests and the browser XSS test.

Every payload that could run sets `window.__xss` (so a browser test can tell) or opens a dialog;
either would be a failure. The corpus covers HTML element and attribute breakers, dangerous URL
schemes in several spellings, XML/SVG and comment breakers, JSON-in-script breakers and
spreadsheet formulas.
"""

from __future__ import annotations

PAYLOADS: tuple[str, ...] = (
    "<script>window.__xss=1;alert(1)</script>",
    '"><img src=x onerror="window.__xss=1">',
    "'><img src=x onerror='window.__xss=1'>",
    "</script><script>window.__xss=1</script>",
    "<svg onload=window.__xss=1>",
    '<svg><a xlink:href="javascript:window.__xss=1"><text y="9">x</text></a></svg>',
    "<iframe src=javascript:window.__xss=1></iframe>",
    "javascript:window.__xss=1",
    "JaVaScRiPt:window.__xss=1",
    " \tjavascript:window.__xss=1",
    "data:text/html,<script>window.__xss=1</script>",
    "vbscript:msgbox(1)",
    "` onmouseover=window.__xss=1 x=`",
    "' \" ` < > &amp; &lt;",
    "]]><script>window.__xss=1</script>",
    "--><!--<script>window.__xss=1</script>-->",
    "<!--",
    "=1+1",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    '=HYPERLINK("http://evil.example","x")',
    "line\u2028sep\u2029para </script><!-- x",
    "{{7*7}} {% raw %}${7*7}",
)

# Schemes a link taken from data must never carry.
BAD_SCHEMES = ("javascript:", "data:", "vbscript:")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
