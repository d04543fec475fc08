-- Within each list and dimension, count shares and Rmax shares add up to 100%.
select list_date, dimension, sum(system_share_pct) as systems_pct, sum(rmax_share_pct) as rmax_pct
from {{ ref('list_shares') }}
group by list_date, dimension
having abs(sum(system_share_pct) - 100) > 1e-6 or abs(sum(rmax_share_pct) - 100) > 1e-6
