-- Unsubscribe links that name nobody and can be revoked. A link used to carry
-- the address itself (readable base64, signed), so anyone who saw the link
-- saw the address, and no link could be taken back. Now a link carries the
-- city and a random id (signed); the id names a row here, which holds the
-- address. Revoking the row (or erasing it with the person) ends every link
-- that carries it. One live row per city and address: every email to the
-- address carries the same link until it is revoked.

create table unsubscribe_links (
    city_id uuid not null,
    id uuid not null,
    email text not null check (length(email) between 3 and 254 and email = lower(email) and email like '%_@_%'),
    created_at timestamptz not null default now(),
    revoked_at timestamptz,
    primary key (city_id, id)
) partition by list (city_id);
create unique index unsubscribe_links_live on unsubscribe_links (city_id, email) where revoked_at is null;

select soi_apply_tenancy('unsubscribe_links', 'select, insert, update');

-- Addresses are personal data, and links are made and used by system work
-- (the mail worker, the unsubscribe page) and admins only.
create policy admins_only on unsubscribe_links as restrictive for all
    using ((select soi_role()) in ('system', 'chapter_admin'))
    with check ((select soi_role()) in ('system', 'chapter_admin'));

select soi_ensure_city_partitions(id) from cities;
