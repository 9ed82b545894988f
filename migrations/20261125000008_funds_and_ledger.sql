-- Money, city by city: sponsors and their contributions, social causes and
-- what was given to them, expenses, and the append-only ledger every
-- movement writes in the same transaction as its cause. Balances are sums of
-- the ledger; nothing in it is ever updated or deleted (a mistake is
-- corrected by a reversing entry).

create table sponsors (
    city_id uuid not null references cities (id),
    id uuid not null,
    kind text not null check (kind in ('organization', 'person')),
    name text not null check (length(name) between 1 and 200),
    contact_name text check (length(contact_name) between 1 and 200),
    contact_email text check (contact_email = lower(contact_email) and length(contact_email) <= 254),
    contact_phone text check (contact_phone ~ '^\+[1-9][0-9]{7,14}$'),
    created_at timestamptz not null default now(),
    primary key (city_id, id),
    unique (city_id, name)
);
select soi_apply_tenancy('sponsors', 'select, insert, update');

create table social_causes (
    city_id uuid not null references cities (id),
    id uuid not null,
    title text not null check (length(title) between 1 and 200),
    description text not null check (length(description) between 1 and 4000),
    beneficiaries text not null check (length(beneficiaries) between 1 and 400),
    target_tiyn bigint check (target_tiyn > 0),
    created_at timestamptz not null default now(),
    primary key (city_id, id),
    unique (city_id, title)
);
select soi_apply_tenancy('social_causes', 'select, insert, update');

-- A show's ticket money goes to its cause.
alter table events add column cause_id uuid;
alter table events add foreign key (city_id, cause_id) references social_causes (city_id, id);

create table contributions (
    city_id uuid not null,
    id uuid not null,
    sponsor_id uuid not null,
    form text not null check (form in ('money', 'in_kind')),
    status text not null default 'pledged' check (status in ('pledged', 'received', 'reversed')),
    -- money: the amount; in kind: its estimated value
    amount_tiyn bigint not null check (amount_tiyn > 0),
    description text check (length(description) between 1 and 400),
    purpose text not null check (length(purpose) between 1 and 400),
    pledged_on date not null,
    received_on date,
    primary key (city_id, id),
    foreign key (city_id, sponsor_id) references sponsors (city_id, id)
);
create index contributions_sponsor on contributions (city_id, sponsor_id);
select soi_apply_tenancy('contributions', 'select, insert, update');

create table expenses (
    city_id uuid not null,
    id uuid not null,
    tag text not null check (tag ~ '^[a-z][a-z0-9_]{1,39}$'),
    amount_tiyn bigint not null check (amount_tiyn > 0),
    spent_on date not null,
    description text not null check (length(description) between 1 and 400),
    receipt_url text check (receipt_url ~ '^https?://' and length(receipt_url) <= 400),
    primary key (city_id, id)
);
select soi_apply_tenancy('expenses', 'select, insert');

create table disbursements (
    city_id uuid not null,
    id uuid not null,
    cause_id uuid not null,
    amount_tiyn bigint not null check (amount_tiyn > 0),
    paid_on date not null,
    evidence_url text not null check (evidence_url ~ '^https?://' and length(evidence_url) <= 400),
    beneficiaries integer not null check (beneficiaries between 0 and 10000000),
    description text not null check (length(description) between 1 and 400),
    primary key (city_id, id),
    foreign key (city_id, cause_id) references social_causes (city_id, id)
);
create index disbursements_cause on disbursements (city_id, cause_id);
select soi_apply_tenancy('disbursements', 'select, insert');

-- The ledger. Positive amounts come in, negative go out. Exactly one cause
-- column is set per kind; a reversal points at the entry it cancels (once).
create table ledger_entries (
    city_id uuid not null,
    id uuid not null,
    kind text not null check (kind in
        ('contribution', 'ticket_sale', 'refund', 'expense', 'disbursement', 'reversal')),
    amount_tiyn bigint not null check (amount_tiyn <> 0),
    contribution_id uuid,
    order_id uuid,
    expense_id uuid,
    disbursement_id uuid,
    reverses_id uuid,
    memo text check (length(memo) between 1 and 400),
    recorded_by uuid,
    recorded_at timestamptz not null default clock_timestamp(),
    primary key (city_id, id),
    unique (city_id, reverses_id),
    foreign key (city_id, contribution_id) references contributions (city_id, id),
    foreign key (city_id, order_id) references ticket_orders (city_id, id),
    foreign key (city_id, expense_id) references expenses (city_id, id),
    foreign key (city_id, disbursement_id) references disbursements (city_id, id),
    foreign key (city_id, reverses_id) references ledger_entries (city_id, id),
    check (case kind
        when 'contribution' then contribution_id is not null and amount_tiyn > 0
        when 'ticket_sale' then order_id is not null and amount_tiyn > 0
        when 'refund' then order_id is not null and amount_tiyn < 0
        when 'expense' then expense_id is not null and amount_tiyn < 0
        when 'disbursement' then disbursement_id is not null and amount_tiyn < 0
        else reverses_id is not null end)
) partition by list (city_id);
create index ledger_entries_time on ledger_entries (city_id, recorded_at);
select soi_apply_tenancy('ledger_entries', 'select, insert');

-- Append-only for every role, the owner included.
create function soi_refuse_change() returns trigger language plpgsql as
$$ begin raise exception '% is append-only', tg_table_name using errcode = '42501'; end $$;
create trigger ledger_append_only before update or delete on ledger_entries
    for each row execute function soi_refuse_change();

do $$
declare
    t text;
begin
    foreach t in array array['sponsors', 'social_causes', 'contributions', 'expenses', 'disbursements', 'ledger_entries'] loop
        execute format('create policy admins_only on %I as restrictive for all
                        using ((select soi_role()) not in (''coach'', ''participant''))', t);
    end loop;
end
$$;

select soi_ensure_city_partitions(id) from cities;
