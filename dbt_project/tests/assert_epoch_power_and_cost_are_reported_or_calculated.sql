-- Epoch's power capacity and hardware cost are each its reported figure where there is one, else its calculated
-- one; the marts split them by that (reported vs estimated). A row whose capacity or cost is neither was loaded
-- without the reported and calculated columns: a file loaded by a version that did not read them (reload it with
-- `top500 run --full-refresh`), or a file that changed how it states them.
select
    source_file, source_line, cluster_name, power_capacity_mw, reported_power_mw, calculated_power_mw,
    hardware_cost_usd, reported_cost_inflation_adjusted_usd, calculated_cost_usd
from {{ ref('stg_epoch__gpu_clusters') }}
where
    (power_capacity_mw is not null and coalesce(reported_power_mw, calculated_power_mw) is null)
    or (
        hardware_cost_usd is not null
        and coalesce(reported_cost_inflation_adjusted_usd, reported_cost_usd, calculated_cost_usd) is null
    )
