-- Country shares are rounded to 4 decimals; their sums stay within 0.01 of 100% on every loaded list
-- (lists from raw: a list missing from the mart fails).
with loaded as (
    select distinct list_date from {{ source('raw', 'top500_entries') }}
),

per_list as (
    select list_date, sum(system_share_pct) as systems_pct, sum(rmax_share_pct) as rmax_pct
    from {{ ref('country_list_stats') }}
    group by list_date
)

select loaded.list_date, per_list.systems_pct, per_list.rmax_pct
from loaded
left join per_list using (list_date)
where
    per_list.list_date is null
    or abs(per_list.systems_pct - 100) > 0.01
    or abs(per_list.rmax_pct - 100) > 0.01
