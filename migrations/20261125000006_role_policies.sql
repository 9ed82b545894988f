-- Roles inside a city, enforced by the database as well as by the resolvers.
-- A tenant transaction of a signed-in user sets soi.role (and soi.coach_id or
-- soi.participant_id); system and public work leaves soi.role empty. These
-- policies are RESTRICTIVE: they only narrow what city_isolation allows.
--
-- * a participant sees only their own rows: their participant record, their
--   applications, group memberships, attendance and skills; no coach data;
-- * a coach cannot change seasons, rinks, coaches or participants, and can
--   record attendance, schedule sessions and change memberships only for the
--   groups they coach.

create function soi_role() returns text language sql stable as
$$ select coalesce(nullif(current_setting('soi.role', true), ''), 'system') $$;

create function soi_acting_coach() returns uuid language sql stable as
$$ select nullif(current_setting('soi.coach_id', true), '')::uuid $$;

create function soi_acting_participant() returns uuid language sql stable as
$$ select nullif(current_setting('soi.participant_id', true), '')::uuid $$;

-- Whether the acting coach coaches the group (the policy subqueries name
-- city_id, like all application SQL, so partitions stay pruned).
create function soi_coaches_group(city uuid, grp uuid) returns boolean language sql stable as
$$ select exists (select 1 from group_coaches gc
                  where gc.city_id = city and gc.group_id = grp and gc.coach_id = soi_acting_coach()) $$;

-- Participants: their own rows only.
create policy participant_self on participants as restrictive for all
    using ((select soi_role()) <> 'participant' or id = (select soi_acting_participant()));
create policy participant_self on enrollments as restrictive for all
    using ((select soi_role()) <> 'participant' or participant_id = (select soi_acting_participant()));
create policy participant_self on group_members as restrictive for all
    using ((select soi_role()) <> 'participant' or participant_id = (select soi_acting_participant()));
create policy participant_self on attendance as restrictive for all
    using ((select soi_role()) <> 'participant' or participant_id = (select soi_acting_participant()));
create policy participant_self on skill_assessments as restrictive for all
    using ((select soi_role()) <> 'participant' or participant_id = (select soi_acting_participant()));
create policy no_participants on coaches as restrictive for all
    using ((select soi_role()) <> 'participant');
create policy no_participants on coach_certificates as restrictive for all
    using ((select soi_role()) <> 'participant');

-- Tables only admins (and system work) change. Participants change their own
-- application (withdrawal) through the enrollments policy above.
do $$
declare
    t text;
    cmd text;
begin
    foreach t in array array['seasons', 'rinks', 'coaches', 'coach_certificates', 'participants', 'groups', 'group_coaches'] loop
        foreach cmd in array array['insert', 'update', 'delete'] loop
            execute format(
                'create policy admin_writes_%s on %I as restrictive for %s %s',
                cmd, t, cmd,
                case cmd
                    when 'insert' then 'with check ((select soi_role()) not in (''coach'', ''participant''))'
                    when 'update' then 'using ((select soi_role()) not in (''coach'', ''participant''))'
                    else 'using ((select soi_role()) not in (''coach'', ''participant''))'
                end);
        end loop;
    end loop;
end
$$;

-- Coaches: their own groups' sessions, members and attendance.
create policy coach_own_groups_insert on training_sessions as restrictive for insert
    with check ((select soi_role()) <> 'participant'
                and ((select soi_role()) <> 'coach' or soi_coaches_group(city_id, group_id)));
create policy coach_own_groups_update on training_sessions as restrictive for update
    using ((select soi_role()) <> 'participant'
           and ((select soi_role()) <> 'coach' or soi_coaches_group(city_id, group_id)));
create policy coach_own_groups_insert on group_members as restrictive for insert
    with check ((select soi_role()) <> 'participant'
                and ((select soi_role()) <> 'coach' or soi_coaches_group(city_id, group_id)));
create policy coach_own_groups_delete on group_members as restrictive for delete
    using ((select soi_role()) <> 'participant'
           and ((select soi_role()) <> 'coach' or soi_coaches_group(city_id, group_id)));
create policy coach_own_sessions_insert on attendance as restrictive for insert
    with check ((select soi_role()) <> 'participant'
                and ((select soi_role()) <> 'coach' or exists (
                    select 1 from training_sessions s
                    where s.city_id = attendance.city_id and s.id = attendance.session_id
                      and soi_coaches_group(s.city_id, s.group_id))));
create policy coach_own_sessions_update on attendance as restrictive for update
    using ((select soi_role()) <> 'participant'
           and ((select soi_role()) <> 'coach' or exists (
               select 1 from training_sessions s
               where s.city_id = attendance.city_id and s.id = attendance.session_id
                 and soi_coaches_group(s.city_id, s.group_id))));
create policy no_participant_writes_insert on skill_assessments as restrictive for insert
    with check ((select soi_role()) <> 'participant');
create policy no_participant_writes_update on skill_assessments as restrictive for update
    using ((select soi_role()) <> 'participant');
create policy no_participant_writes_delete on skill_assessments as restrictive for delete
    using ((select soi_role()) <> 'participant');

grant execute on function soi_role(), soi_acting_coach(), soi_acting_participant(), soi_coaches_group(uuid, uuid) to soi_app;
