-- Country shares are rounded to 4 decimals; on every list in the mart their sums stay within 0.01 of 100%.
-- (That every loaded list is in the mart, with its 500 systems, is the marts gate's rule: expectations/marts.py.)
select
    list_date,
    sum(system_share_pct) as systems_pct,
    sum(rmax_share_pct) as rmax_pct
from {{ ref('country_list_stats') }}
group by list_date
having abs(sum(system_share_pct) - 100) > 0.01 or abs(sum(rmax_share_pct) - 100) > 0.01
