-- The national skill catalogue: learn-to-skate levels from first steps on the
-- ice to the elements of a show number. Ids derive from the codes, so every
-- deployment has the same ids.

insert into skill_levels (id, code, position, name_kk, name_ru, name_en)
select md5('skill-level:' || code)::uuid, code, position, name_kk, name_ru, name_en
from (values
    ('basic-1', 1, 'Негізгі 1: мұзға алғашқы қадам', 'Базовый 1: первые шаги на льду', 'Basic 1: first steps on ice'),
    ('basic-2', 2, 'Негізгі 2: сырғанау', 'Базовый 2: скольжение', 'Basic 2: gliding'),
    ('basic-3', 3, 'Негізгі 3: тежеу және бұрылыс', 'Базовый 3: торможение и повороты', 'Basic 3: stops and turns'),
    ('basic-4', 4, 'Негізгі 4: артқа сырғанау', 'Базовый 4: скольжение назад', 'Basic 4: skating backward'),
    ('basic-5', 5, 'Негізгі 5: секірулер мен айналулар', 'Базовый 5: прыжки и вращения', 'Basic 5: jumps and spins'),
    ('show-1', 6, 'Шоу: нөмірдің элементтері', 'Шоу: элементы номера', 'Show: elements of a number')
) as l (code, position, name_kk, name_ru, name_en);

insert into skill_elements (id, level_id, code, position, name_kk, name_ru, name_en)
select md5('skill-element:' || e.code)::uuid, md5('skill-level:' || e.level)::uuid, e.code, e.position,
       e.name_kk, e.name_ru, e.name_en
from (values
    ('basic-1', 'b1-stand', 1, 'Мұзда тұру', 'Стойка на льду', 'Standing on the ice'),
    ('basic-1', 'b1-fall-rise', 2, 'Құлау және тұру', 'Падение и подъём', 'Falling and getting up'),
    ('basic-1', 'b1-march', 3, 'Орнында жүру', 'Марш на месте', 'Marching in place'),
    ('basic-2', 'b2-glide-two', 1, 'Екі аяқпен сырғанау', 'Скольжение на двух ногах', 'Two-foot glide'),
    ('basic-2', 'b2-swizzle', 2, 'Алға «шырша»', 'Ёлочка вперёд', 'Forward swizzles'),
    ('basic-2', 'b2-dip', 3, 'Отыру', 'Присед в скольжении', 'Dip'),
    ('basic-3', 'b3-snowplow', 1, 'Плугпен тежеу', 'Торможение плугом', 'Snowplow stop'),
    ('basic-3', 'b3-one-foot', 2, 'Бір аяқпен сырғанау', 'Скольжение на одной ноге', 'One-foot glide'),
    ('basic-3', 'b3-two-foot-turn', 3, 'Екі аяқпен бұрылу', 'Поворот на двух ногах', 'Two-foot turn'),
    ('basic-4', 'b4-back-swizzle', 1, 'Артқа «шырша»', 'Ёлочка назад', 'Backward swizzles'),
    ('basic-4', 'b4-back-glide', 2, 'Артқа сырғанау', 'Скольжение назад', 'Backward glide'),
    ('basic-4', 'b4-crossover', 3, 'Алға кросс', 'Перебежка вперёд', 'Forward crossovers'),
    ('basic-5', 'b5-bunny-hop', 1, 'Қоян секіру', 'Прыжок «зайчик»', 'Bunny hop'),
    ('basic-5', 'b5-two-foot-spin', 2, 'Екі аяқпен айналу', 'Вращение на двух ногах', 'Two-foot spin'),
    ('basic-5', 'b5-waltz-jump', 3, 'Вальс секіру', 'Перекидной прыжок', 'Waltz jump'),
    ('show-1', 's1-spiral', 1, 'Спираль', 'Спираль', 'Spiral'),
    ('show-1', 's1-pair-glide', 2, 'Жұппен сырғанау', 'Парное скольжение', 'Pair glide'),
    ('show-1', 's1-formation', 3, 'Топтық құрылым', 'Групповое построение', 'Group formation')
) as e (level, code, position, name_kk, name_ru, name_en);
