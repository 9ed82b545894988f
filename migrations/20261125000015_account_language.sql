-- The language of the emails an account receives as staff (a chapter
-- admin's certificate notices); participants choose theirs on their record.
alter table accounts
    add column language text not null default 'ru' check (language in ('kk', 'ru', 'en'));
