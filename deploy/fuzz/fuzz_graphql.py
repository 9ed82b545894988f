"""GraphQL fuzz run against a gateway on the demo dataset (run by `deploy/dev test`).

Schemathesis generates operations from schema.graphql, valid ones and
invalid ones, for every query and mutation, sent anonymously and as a
chapter admin. Every answer must be free of HTTP 5xx, of `INTERNAL` codes
and of SQL or stack text; the run fails when one is not, or when fewer than
--min-operations were sent. It prints the figures (operations, statuses,
codes) and, for each finding, the operation and the request that caused it.

IDs and strings are drawn partly from what the demo holds (ids read as the
admin, city slugs, demo addresses) so that resolvers get past "not found"
and reach the database; the rest is arbitrary text from Hypothesis.

    python deploy/fuzz/fuzz_graphql.py --url http://127.0.0.1:8080/graphql \
        --schema schema.graphql --admin admin@almaty.soi.test --password <the demo password>
"""

from __future__ import annotations

import argparse
import collections
import datetime
import json
import os
import re
import sys
import time
from pathlib import Path

import graphql
import requests
import schemathesis
import schemathesis.graphql as sg
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.configuration import set_hypothesis_home_dir
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.graphql import nodes

# What no answer may show (see the file: it is not in this source on purpose).
LEAKS_FILE = Path(__file__).with_name("leaks.txt")


def leak_patterns() -> list[re.Pattern]:
    lines = LEAKS_FILE.read_text(encoding="utf-8").splitlines()
    return [re.compile(line) for line in lines if line and not line.startswith("#")]


class Budget(Exception):
    """The time budget ran out."""


def gql(session: requests.Session, url: str, query: str, token: str | None = None) -> dict:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    r = session.post(url, json={"query": query}, headers=headers, timeout=30)
    r.raise_for_status()
    return r.json()


def login(session: requests.Session, url: str, email: str, password: str) -> str:
    body = gql(
        session,
        url,
        'mutation { login(email: %s, password: %s) { accessToken } }' % (json.dumps(email), json.dumps(password)),
    )
    token = (body.get("data") or {}).get("login", {}).get("accessToken")
    if not token:
        sys.exit(f"login as {email} failed: {body}")
    return token


def id_selection(schema: graphql.GraphQLSchema, type_, depth: int) -> str:
    """A selection of every ID field of `type_`, through nested objects and
    lists (fields without required arguments), `depth` levels down."""
    type_ = graphql.get_named_type(type_)
    if not isinstance(type_, graphql.GraphQLObjectType) or depth == 0:
        return ""
    parts = []
    for name, field in type_.fields.items():
        if any(graphql.is_required_argument(a) for a in field.args.values()):
            continue
        inner = graphql.get_named_type(field.type)
        if isinstance(inner, graphql.GraphQLScalarType) and inner.name in ("ID", "UUID"):
            parts.append(name)
        elif isinstance(inner, graphql.GraphQLObjectType):
            sub = id_selection(schema, inner, depth - 1)
            if sub:
                parts.append(f"{name} {{ {sub} }}")
    return " ".join(parts)


def collect_ids(value, out: set[str], skip: set[str]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            if isinstance(v, str) and (k == "id" or k.endswith("Id")) and v not in skip:
                out.add(v)
            else:
                collect_ids(v, out, skip)
    elif isinstance(value, list):
        for v in value:
            collect_ids(v, out, skip)


def harvest(session, url, sdl: graphql.GraphQLSchema, token: str, own_email: str) -> tuple[set[str], list[str]]:
    """Ids the admin can read (every query without required arguments, and
    then those with one required ID argument), and the cities' slugs."""
    # Not the admin's own account: the run must keep its session.
    staff = gql(session, url, "{ staff { accounts { id email } } }", token)
    accounts = ((staff.get("data") or {}).get("staff") or {}).get("accounts") or []
    skip = {a["id"] for a in accounts if a["email"] == own_email}
    ids: set[str] = set()
    query_type = sdl.query_type
    for name, field in query_type.fields.items():
        if any(graphql.is_required_argument(a) for a in field.args.values()):
            continue
        sel = id_selection(sdl, field.type, 4)
        if sel:
            body = gql(session, url, f"{{ {name} {{ {sel} }} }}", token)
            collect_ids(body.get("data"), ids, skip)
    for name, field in query_type.fields.items():
        required = [a for a, v in field.args.items() if graphql.is_required_argument(v)]
        arg = field.args.get(required[0]) if len(required) == 1 else None
        if arg is None or graphql.get_named_type(arg.type).name != "ID":
            continue
        sel = id_selection(sdl, field.type, 3)
        if not sel:
            continue
        for value in sorted(ids)[:40]:
            body = gql(session, url, f"{{ {name}({required[0]}: {json.dumps(value)}) {{ {sel} }} }}", token)
            collect_ids(body.get("data"), ids, skip)
    cities = gql(session, url, "{ cities { slug } }")
    slugs = [c["slug"] for c in (cities.get("data") or {}).get("cities", [])]
    return ids, slugs


def register_scalars(ids: list[str], strings: list[str]) -> None:
    """Strategies for the schema's own scalars, and for the built-in ones:
    about half the time a plausible value (an id the demo holds, a small
    number, a date in the season), else anything of the type."""
    text = st.text(max_size=40)
    plausible_text = st.sampled_from(strings)
    days = st.dates(min_value=datetime.date(2026, 9, 1), max_value=datetime.date(2027, 6, 30))
    known_ids = st.sampled_from(ids) if ids else st.uuids().map(str)
    sg.scalar("ID", st.one_of(known_ids, text, st.integers(-(2**31), 2**31 - 1).map(str)).map(nodes.String))
    sg.scalar("UUID", st.one_of(known_ids, st.uuids().map(str)).map(nodes.String))
    sg.scalar("String", st.one_of(plausible_text, text).map(nodes.String))
    sg.scalar("Int", st.one_of(st.integers(0, 120), st.integers(-(2**31), 2**31 - 1)).map(nodes.Int))
    sg.scalar("Date", st.one_of(days, st.dates()).map(str).map(nodes.String))
    sg.scalar(
        "DateTime",
        st.one_of(
            st.tuples(days, st.times()).map(lambda dt: f"{dt[0]}T{dt[1]}Z"),
            st.datetimes().map(lambda d: d.isoformat() + "+05:00"),
            text,
        ).map(nodes.String),
    )
    sg.scalar(
        "YearMonth",
        st.one_of(st.from_regex(r"\A(19|20|99)[0-9]{2}-(0[0-9]|1[0-3])\Z"), text).map(nodes.String),
    )
    sg.scalar("Tiyn", st.one_of(st.integers(0, 10**9), st.integers(-(2**53), 2**53)).map(nodes.Int))
    sg.scalar("JSON", st.one_of(text.map(nodes.String), st.integers().map(nodes.Int)))


class Tally:
    def __init__(self) -> None:
        self.leaks = leak_patterns()
        self.operations = 0
        self.by_identity = collections.Counter()
        self.statuses = collections.Counter()
        self.codes = collections.Counter()
        self.answered = 0  # operations answered with data and no error
        self.findings: list[str] = []
        self.per_operation = collections.defaultdict(collections.Counter)

    def check(self, identity: str, label: str, query: str, status: int, text: str) -> None:
        self.operations += 1
        self.by_identity[identity] += 1
        self.statuses[status] += 1
        problems = []
        if status >= 500:
            problems.append(f"HTTP {status}")
        try:
            body = json.loads(text)
        except ValueError:
            body = None
            problems.append("not JSON")
        errors = body.get("errors") or [] if isinstance(body, dict) else []
        for e in errors:
            code = (e.get("extensions") or {}).get("code", "(none)")
            self.codes[code] += 1
            if code == "INTERNAL":
                problems.append("INTERNAL")
        if isinstance(body, dict) and not errors and body.get("data") is not None:
            self.answered += 1
            self.per_operation[(identity, label)]["data"] += 1
        for e in errors[:1]:
            self.per_operation[(identity, label)][(e.get("extensions") or {}).get("code", "(none)")] += 1
        for leak in self.leaks:
            if leak.search(text) and not leak.search(query):
                problems.append(f"leaks {leak.pattern!r}")
        if problems and len(self.findings) < 50:
            self.findings.append(
                f"{identity} {label}: {', '.join(problems)}\n  request: {query[:600]}\n  answer: {text[:600]}"
            )


def run(args) -> int:
    # Hypothesis keeps a cache (constants it found in local code); not in
    # whatever folder this runs from.
    set_hypothesis_home_dir(args.work_dir)
    session = requests.Session()
    sdl = graphql.build_schema(open(args.schema, encoding="utf-8").read())
    if not args.password:
        sys.exit("the demo password: --password or SOI_DEMO_PASSWORD")
    token = login(session, args.url, args.admin, args.password)
    ids, slugs = harvest(session, args.url, sdl, token, args.admin)
    # Values a form would send, so that input checks pass and the
    # resolvers go on to the database.
    strings = slugs + [
        args.admin,
        f"student@{slugs[0] if slugs else 'almaty'}.soi.test",
        "new.skater@example.com",
        "Aigerim",
        "Nurlan",
        "Abay Avenue 10",
        "Ice Palace",
        "2026-09",
        "Consent to the processing of personal data",
        "+77011234567",
        "kk",
        "",
    ]
    register_scalars(sorted(ids), strings)
    print(f"fuzz: {len(ids)} known ids, cities {', '.join(slugs)}", flush=True)

    schema = sg.from_path(args.schema)
    operations = [r.ok() for r in schema.get_all_operations()]
    tally = Tally()
    deadline = time.monotonic() + args.budget_seconds
    started = time.monotonic()
    identities = [("anonymous", None), ("admin", token)]
    modes = [(GenerationMode.POSITIVE, args.examples), (GenerationMode.NEGATIVE, args.negative_examples)]

    def fuzz(op, mode, examples: int, identity: str, headers: dict):
        @settings(
            max_examples=examples,
            database=None,
            deadline=None,
            phases=[Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=op.as_strategy(generation_mode=mode))
        def send(case):
            if time.monotonic() > deadline:
                raise Budget
            query = case.body if isinstance(case.body, str) else json.dumps(case.body)
            r = session.post(args.url, json={"query": query}, headers=headers, timeout=30)
            tally.check(identity, op.label, query, r.status_code, r.text)

        send()

    for identity, bearer in identities:
        headers = {"authorization": f"Bearer {bearer}"} if bearer else {}
        for op in operations:
            for mode, examples in modes:
                if examples == 0 or time.monotonic() > deadline:
                    continue
                try:
                    fuzz(op, mode, examples, identity, headers)
                except Budget:
                    pass
                except Exception as e:  # a generator that cannot build this operation
                    tally.findings.append(f"{identity} {op.label}: generation failed: {e!r}"[:400])

    elapsed = time.monotonic() - started
    print(
        f"fuzz: {tally.operations} operations in {elapsed:.0f} s over {len(operations)} root fields "
        f"(schemathesis {schemathesis.__version__}); by identity: {dict(tally.by_identity)}; "
        f"answered with data: {tally.answered}"
    )
    print(f"fuzz: HTTP statuses: {dict(sorted(tally.statuses.items()))}")
    print(f"fuzz: error codes: {dict(tally.codes.most_common())}")
    if args.verbose:
        for (identity, label), counts in sorted(tally.per_operation.items()):
            print(f"  {identity} {label}: {dict(counts)}")
    failed = False
    if tally.findings:
        failed = True
        print(f"fuzz: {len(tally.findings)} findings:")
        for f in tally.findings:
            print(f)
    # The admin's operations count only if its session lasted the run.
    still = gql(session, args.url, "{ me { email } }", token)
    if not (still.get("data") or {}).get("me"):
        failed = True
        print(f"fuzz: the admin's session ended during the run: {still}")
    if tally.operations < args.min_operations:
        failed = True
        print(f"fuzz: only {tally.operations} operations, fewer than {args.min_operations} (budget too small?)")
    print("fuzz: FAILED" if failed else "fuzz: 0 HTTP 5xx, 0 INTERNAL, 0 SQL or stack text")
    return 1 if failed else 0


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--url", required=True, help="the gateway's /graphql")
    p.add_argument("--schema", required=True, help="schema.graphql")
    p.add_argument("--admin", default="admin@almaty.soi.test", help="the chapter admin to sign in as")
    # Not a constant of this source: Hypothesis would feed it to
    # changePassword(currentPassword:) and end the admin's session.
    p.add_argument("--password", default=os.environ.get("SOI_DEMO_PASSWORD"), help="the demo accounts' password")
    p.add_argument("--examples", type=int, default=4, help="valid operations per root field and identity")
    p.add_argument("--negative-examples", type=int, default=2, help="invalid ones per root field and identity")
    p.add_argument("--budget-seconds", type=float, default=150, help="stop generating after this long")
    p.add_argument("--min-operations", type=int, default=1000, help="fail below this many operations")
    p.add_argument(
        "--work-dir",
        default=str(Path(__file__).resolve().parents[2] / ".local" / "hypothesis"),
        help="Hypothesis's own files",
    )
    p.add_argument("--verbose", action="store_true", help="print the answers' codes per operation")
    return run(p.parse_args())


if __name__ == "__main__":
    sys.exit(main())
