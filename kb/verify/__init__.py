"""`kb verify` (issue 18 item 5): fetch each source's page and archived copy, look for each of
its quotes there, and record what was found in the quotes' verification trails.

kb.verify.matching reads a page's text and finds words in it; kb.verify.fetching fetches politely
(robots.txt, a rate per host, timeouts, a size cap, a User-Agent naming kb);
kb.verify.running walks the sources and writes the trail.
"""
