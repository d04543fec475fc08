{{ config(tags=['known_answers']) }}
-- Every list that prints First Appearance (2012-06 on) has no entry whose system_key starts on a later list
-- than the First Appearance it prints (a broken chain). Which lists print it is read from raw, so a bug
-- that drops lists from the quality mart fails here instead of switching the test off.
with printing as (
    select list_date, count(*) as entries_with_first_appearance
    from {{ source('raw', 'top500_entries') }}
    where first_appearance is not null
    group by list_date
)

select
    printing.list_date, printing.entries_with_first_appearance,
    quality.keys_starting_after_first_appearance
from printing
left join {{ ref('system_linkage_quality') }} as quality using (list_date)
where
    quality.list_date is null
    or quality.keys_starting_after_first_appearance <> 0
