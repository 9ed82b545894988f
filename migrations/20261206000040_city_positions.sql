-- Where each city is, for the national dashboard's map: WGS 84 degrees,
-- both given or neither (a city launched without a position is left off the
-- map, never drawn at 0, 0).
alter table cities
    add column latitude double precision,
    add column longitude double precision,
    add constraint cities_position_check check (
        (latitude is null) = (longitude is null)
        and (latitude is null or (latitude between -90 and 90 and longitude between -180 and 180))
    );

-- Cities already launched under the slugs of Kazakhstan's largest cities get
-- their real positions (city centres); any other keeps none until given one.
update cities c
   set latitude = v.latitude, longitude = v.longitude
  from (values
        ('almaty', 43.2389, 76.8897),
        ('astana', 51.1694, 71.4491),
        ('shymkent', 42.3417, 69.5901),
        ('aktobe', 50.2839, 57.1670),
        ('karaganda', 49.8047, 73.1094),
        ('taraz', 42.9000, 71.3667),
        ('oskemen', 49.9483, 82.6275),
        ('pavlodar', 52.2873, 76.9674),
        ('atyrau', 47.1164, 51.8833),
        ('semey', 50.4111, 80.2275),
        ('kyzylorda', 44.8528, 65.5092),
        ('kostanay', 53.2144, 63.6246),
        ('aktau', 43.6532, 51.1975),
        ('oral', 51.2333, 51.3667),
        ('petropavl', 54.8753, 69.1628),
        ('turkistan', 43.2973, 68.2517)
       ) as v (slug, latitude, longitude)
 where c.slug = v.slug and c.latitude is null;
