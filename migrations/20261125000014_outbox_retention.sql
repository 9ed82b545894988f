-- Sent emails are kept for a while (support questions, "did it go out?"),
-- then deleted: the recipient's address and the payload are personal data
-- whose purpose has ended. Only system work (the mail worker) may delete,
-- and only rows that were sent.
grant delete on outbox to soi_app;
create policy system_purges_sent on outbox as restrictive for delete
    using ((select soi_role()) = 'system' and status = 'sent');
