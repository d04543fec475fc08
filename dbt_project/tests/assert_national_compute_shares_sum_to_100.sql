-- On every list date the Epoch data covers (and the world total is not 0), the countries' shares of world
-- total_h100e and of world ai_cluster_h100e each add up to 100%.
select
    list_date,
    sum(total_h100e_share_pct) as total_share,
    sum(ai_cluster_h100e_share_pct) as ai_share,
    sum(total_h100e) as world_total,
    sum(ai_cluster_h100e) as world_ai
from {{ ref('national_compute') }}
where is_within_epoch_coverage
group by list_date
having
    (sum(total_h100e) > 0 and abs(sum(total_h100e_share_pct) - 100) > 1e-6)
    or (sum(ai_cluster_h100e) > 0 and abs(sum(ai_cluster_h100e_share_pct) - 100) > 1e-6)
