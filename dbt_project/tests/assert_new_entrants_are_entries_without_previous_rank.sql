{{ config(tags=['known_answers']) }}
-- On every list that prints Previous Rank and whose previous list is loaded, the new entrants of
-- country_list_stats are exactly the entries printing none (2017-11: 500 - 363 = 137; 2014-11: 69). The counts
-- come from raw; that every loaded list is in the mart at all is the marts gate's rule (expectations/marts.py).
with printed as (
    select list_date, edition, count(*) filter (where previous_rank is null) as entries_without_previous_rank
    from {{ source('raw', 'top500_entries') }}
    group by list_date, edition
    having
        count(previous_rank) > 0
        and (edition - 1) in (select edition from {{ source('raw', 'top500_entries') }})
),

counted as (
    select list_date, sum(new_entrants) as new_entrants
    from {{ ref('country_list_stats') }}
    group by list_date
)

select printed.list_date, printed.entries_without_previous_rank, counted.new_entrants
from printed
inner join counted using (list_date)
where counted.new_entrants is distinct from printed.entries_without_previous_rank
