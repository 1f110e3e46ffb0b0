"""The seed's affiliations, read from the fact sheet's people records (issue 14 item 6).

`build(facts, people, quotes)` returns the kb/1 "affiliations" records (dicts in
kb.formats.kb1.FIELDS order). Everything in them comes from a person's `role_at_time` or
`fact_sources` on the sheet: each record below names the segment of `role_at_time` it comes from
(kept word for word in the record's note, so the reader sees what the sheet says), and its role
and organisation are words of that segment (tests/test_seed_affiliations.py holds it to that).
Nothing is completed from elsewhere: no organisation, role or date the sheet does not write.

Editorial choices (every one):
- Segments are split only where the text separates them: ";" between roles, "and" or "," between
  roles at different organisations ("CEO of SpaceX and CEO of Tesla" is two records; "Professor,
  University of Oxford and founding director, Future of Humanity Institute" is two).
- A role is the words naming the position ("Co-founder and CEO"), the organisation the words
  naming the body ("Anthropic"), each as the sheet spells it. Where an institute is named with
  its university ("Future of Humanity Institute, University of Oxford", "Centre for Theoretical
  Cosmology, University of Cambridge"), the institute is the organisation. An abbreviation or a
  place after a name ("(MIRI), Berkeley", "(AI2)") is left out of the organisation.
- Dates are used only where the text gives them as the period of that role: "2013 to May 2023",
  "since", "from June 2024", "(from 2019)", "2019 onward", "(to 2024)", "left Meta in Nov 2025",
  or a range written straight after the role ("Master of Trinity College, Cambridge 2004-2012",
  "Lucasian Professor of Mathematics 1979-2009"). Years in parentheses after a role are, by the
  sheet's own usage, when the role was seen in a quote ("(2014 and 2017)", "(2017, 2023)",
  "Geometric Intelligence (2022-2023)"), so they are not taken as a period unless a fact_source
  states the period: Hinton's "Google 2013-2023" (and "May 2023" from role_at_time), Altman's "YC
  president 2014-2019", Chollet's "joined Google 2015". So Bostrom's FHI "(2005-2024)" and
  Sutskever's OpenAI "(2015-2024; ...)" carry no dates (the note shows the sheet's years).
- An organisation's own dates ("founded 2021", "founded Dec 2015", "announced 2012", "acquired
  by Google 2014", "renamed Meta Platforms in 2021") are not a person's dates and are not used.
- Roles the sheet marks as past without dates ("previously VP of Research at OpenAI", "formerly
  co-lead of Google's Ethical AI team", "former director of MIT CSAIL", "earlier co-founder of
  DeepMind") are left out: with no end date kb would show them as current.
- Left out as not affiliations: awards (Turing Award, Nobel Prize), books and software written
  ("author of ...", "co-author of ...", "creator of Keras"), investments ("early investor in
  DeepMind and Vicarious"), and offices with no organisation named ("Astronomer Royal",
  "crossbench life peer"). Also left out: sub-roles inside another role's parentheses
  (Sutskever's "co-lead of Superalignment 2023", Suleyman's "heads MAI Superintelligence Team
  from Nov 2025").
- Spelling differences between people are kept as written ("Oxford" and "University of Oxford",
  "Google" and "Google DeepMind", "Facebook, Inc." and "Meta"): merging them would be a claim
  the sheet does not make.
- `quotes` is not used: the sheet's affiliations are people's, not quotes'.
"""

from __future__ import annotations

from typing import Any

# sheet person id -> (segment of role_at_time, role, organisation, from, to)
AFFILIATIONS: dict[str, list[tuple[str, str | None, str, str | None, str | None]]] = {
    "chollet": [
        (
            "Software engineer / AI researcher at Google",
            "Software engineer / AI researcher",
            "Google",
            "2015",
            None,
        ),
    ],
    "musk": [
        ("CEO of SpaceX", "CEO", "SpaceX", None, None),
        ("CEO of Tesla (2014 and 2017)", "CEO", "Tesla", None, None),
        (
            "co-founder and initial co-chair of OpenAI (founded Dec 2015)",
            "co-founder and initial co-chair",
            "OpenAI",
            None,
            None,
        ),
    ],
    "hawking": [
        (
            "Director of Research, Centre for Theoretical Cosmology, University of Cambridge",
            "Director of Research",
            "Centre for Theoretical Cosmology",
            None,
            None,
        ),
        (
            "University of Cambridge (Lucasian Professor of Mathematics 1979-2009)",
            "Lucasian Professor of Mathematics",
            "University of Cambridge",
            "1979",
            "2009",
        ),
    ],
    "rees": [
        (
            "Master of Trinity College, Cambridge 2004-2012",
            "Master",
            "Trinity College, Cambridge",
            "2004",
            "2012",
        ),
        ("President of the Royal Society 2005-2010", "President", "Royal Society", "2005", "2010"),
        (
            "co-founder of the Centre for the Study of Existential Risk (announced 2012)",
            "co-founder",
            "Centre for the Study of Existential Risk",
            None,
            None,
        ),
    ],
    "hinton": [
        (
            "Google VP & Engineering Fellow (2013 to May 2023)",
            "VP & Engineering Fellow",
            "Google",
            "2013",
            "2023-05",
        ),
        (
            "Professor Emeritus, University of Toronto",
            "Professor Emeritus",
            "University of Toronto",
            None,
            None,
        ),
    ],
    "bengio": [
        ("Professor, Université de Montréal", "Professor", "Université de Montréal", None, None),
        (
            "founder and scientific director of Mila – Quebec AI Institute",
            "founder and scientific director",
            "Mila – Quebec AI Institute",
            None,
            None,
        ),
    ],
    "russell": [
        (
            "Professor of Computer Science, UC Berkeley",
            "Professor of Computer Science",
            "UC Berkeley",
            None,
            None,
        ),
        (
            "Director, Center for Human-Compatible AI",
            "Director",
            "Center for Human-Compatible AI",
            None,
            None,
        ),
    ],
    "yudkowsky": [
        (
            "Founder and research fellow, Machine Intelligence Research Institute (MIRI), Berkeley",
            "Founder and research fellow",
            "Machine Intelligence Research Institute",
            None,
            None,
        ),
    ],
    "bostrom": [
        ("Professor, University of Oxford", "Professor", "University of Oxford", None, None),
        (
            "founding director, Future of Humanity Institute (2005-2024)",
            "founding director",
            "Future of Humanity Institute",
            None,
            None,
        ),
        (
            "later founder/director of research, Macrostrategy Research Initiative",
            "founder/director of research",
            "Macrostrategy Research Initiative",
            None,
            None,
        ),
    ],
    "tegmark": [
        ("Professor of physics, MIT", "Professor of physics", "MIT", None, None),
        (
            "co-founder and president, Future of Life Institute",
            "co-founder and president",
            "Future of Life Institute",
            None,
            None,
        ),
    ],
    "ord": [
        (
            "Senior Research Fellow, Future of Humanity Institute, University of Oxford (to 2024)",
            "Senior Research Fellow",
            "Future of Humanity Institute",
            None,
            "2024",
        ),
        ("later senior researcher, Oxford", "senior researcher", "Oxford", None, None),
    ],
    "gates": [
        ("Co-founder of Microsoft", "Co-founder", "Microsoft", None, None),
        (
            "co-chair of the Bill & Melinda Gates Foundation (Gates Foundation)",
            "co-chair",
            "Bill & Melinda Gates Foundation",
            None,
            None,
        ),
    ],
    "altman": [
        ("2015 blog posts: president of Y Combinator", "president", "Y Combinator", "2014", "2019"),
        ("2019 onward: CEO of OpenAI", "CEO", "OpenAI", "2019", None),
    ],
    "hassabis": [
        (
            "Co-founder and CEO of Google DeepMind",
            "Co-founder and CEO",
            "Google DeepMind",
            None,
            None,
        ),
    ],
    "amodei": [
        (
            "Co-founder and CEO of Anthropic",
            "Co-founder and CEO",
            "Anthropic",
            None,
            None,
        ),
    ],
    "sutskever": [
        (
            "Co-founder and chief scientist of OpenAI (2015-2024; co-lead of Superalignment 2023)",
            "Co-founder and chief scientist",
            "OpenAI",
            None,
            None,
        ),
        (
            "co-founder and chief scientist of Safe Superintelligence Inc. (from June 2024)",
            "co-founder and chief scientist",
            "Safe Superintelligence Inc.",
            "2024-06",
            None,
        ),
    ],
    "suleyman": [
        (
            "2023: co-founder and CEO of Inflection AI",
            "co-founder and CEO",
            "Inflection AI",
            None,
            None,
        ),
        ("from March 2024: CEO of Microsoft AI", "CEO", "Microsoft AI", "2024-03", None),
    ],
    "zuckerberg": [
        (
            "Co-founder, chairman and CEO of Facebook, Inc. (renamed Meta Platforms in 2021)",
            "Co-founder, chairman and CEO",
            "Facebook, Inc.",
            None,
            None,
        ),
    ],
    "andreessen": [
        (
            "Co-founder and general partner of venture firm Andreessen Horowitz (a16z)",
            "Co-founder and general partner",
            "Andreessen Horowitz",
            None,
            None,
        ),
        ("co-founder of Netscape", "co-founder", "Netscape", None, None),
    ],
    "kurzweil": [
        (
            "Director of engineering at Google (2017, 2023)",
            "Director of engineering",
            "Google",
            None,
            None,
        ),
        (
            "co-founder/board member of Singularity Group",
            "co-founder/board member",
            "Singularity Group",
            None,
            None,
        ),
        (
            "2024: principal researcher and AI visionary at Google",
            "principal researcher and AI visionary",
            "Google",
            None,
            None,
        ),
    ],
    "lecun": [
        ("Head of Facebook AI Research (2017)", "Head", "Facebook AI Research", None, None),
        ("VP & Chief AI Scientist at Meta", "VP & Chief AI Scientist", "Meta", None, "2025-11"),
        ("NYU professor (2023-2025)", "professor", "NYU", None, None),
    ],
    "ng": [
        ("Chief Scientist at Baidu (2015)", "Chief Scientist", "Baidu", None, None),
        ("founder of DeepLearning.AI", "founder", "DeepLearning.AI", None, None),
        ("Managing General Partner of AI Fund", "Managing General Partner", "AI Fund", None, None),
        ("Exec Chairman of Landing AI", "Exec Chairman", "Landing AI", None, None),
        ("adjunct professor at Stanford (2023-2025)", "adjunct professor", "Stanford", None, None),
    ],
    "marcus": [
        (
            "Professor of psychology and neural science at NYU (2018)",
            "Professor of psychology and neural science",
            "NYU",
            None,
            None,
        ),
        ("professor emeritus at NYU", "professor emeritus", "NYU", None, None),
        (
            "founder of Geometric Intelligence (2022-2023)",
            "founder",
            "Geometric Intelligence",
            None,
            None,
        ),
    ],
    "brooks": [
        (
            "Co-founder, chairman and CTO of Rethink Robotics (2014, 2018)",
            "Co-founder, chairman and CTO",
            "Rethink Robotics",
            None,
            None,
        ),
        (
            "co-founder and CTO of Robust.AI (from 2019)",
            "co-founder and CTO",
            "Robust.AI",
            "2019",
            None,
        ),
    ],
    "mitchell": [
        (
            "Professor of Computer Science, Portland State University",
            "Professor of Computer Science",
            "Portland State University",
            None,
            None,
        ),
        (
            "External Professor, Santa Fe Institute (2021)",
            "External Professor",
            "Santa Fe Institute",
            None,
            None,
        ),
        (
            "Davis Professor of Complexity, Santa Fe Institute (2024)",
            "Davis Professor of Complexity",
            "Santa Fe Institute",
            None,
            None,
        ),
    ],
    "pinker": [
        (
            "Johnstone Family Professor of Psychology, Harvard University",
            "Johnstone Family Professor of Psychology",
            "Harvard University",
            None,
            None,
        ),
    ],
    "etzioni": [
        (
            "CEO of the Allen Institute for Artificial Intelligence (AI2)",
            "CEO",
            "Allen Institute for Artificial Intelligence",
            None,
            None,
        ),
        (
            "University of Washington professor (2017-2020)",
            "professor",
            "University of Washington",
            None,
            None,
        ),
        ("later founding CEO of TrueMedia.org (2024)", "founding CEO", "TrueMedia.org", None, None),
    ],
    "gebru": [
        (
            "Founder and Executive Director, Distributed AI Research Institute (DAIR) (2023-2024)",
            "Founder and Executive Director",
            "Distributed AI Research Institute",
            None,
            None,
        ),
    ],
}


def build(facts: dict[str, Any], people: dict[str, str], quotes: dict[str, int]) -> list[dict]:
    """The kb/1 affiliation records of the sheet's people, in the sheet's order of people.
    A person the sheet has but this table does not is a KeyError: every person is decided."""
    del quotes  # affiliations belong to people (see the module's docstring)
    records = []
    for person in facts["people"]:
        for segment, role, organisation, start, end in AFFILIATIONS[person["id"]]:
            records.append(
                {
                    "person": people[person["id"]],
                    "organisation": organisation,
                    "role": role,
                    "from": start,
                    "to": end,
                    "note": f"Fact sheet: “{segment}”",
                }
            )
    return records
