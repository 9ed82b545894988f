-- A sum of bigints that stays a bigint. PostgreSQL's sum(bigint) returns
-- numeric, and numeric addition made the five bigint figures (money in
-- tiyn, beneficiaries) the costliest part of a national report's
-- aggregation: about 4 of 19 ms at 2,000 cities by season. int8pl is the
-- bigint + operator itself, so a sum past the type's range (9.2e18) fails
-- with "bigint out of range" rather than coming out wrong. Over no rows it
-- is 0, as the reports' coalesce(sum(..), 0) was.
create aggregate soi_sum8(bigint) (
    sfunc = int8pl,
    stype = bigint,
    initcond = '0',
    combinefunc = int8pl,
    parallel = safe
);
