-- Every TOP500 list loaded in raw is in national_compute (a list-grain mart), with cluster figures on every
-- list date within the Epoch data (from the first to the last first-operational date of a cluster that ran)
-- and none outside it. Lists and the Epoch range come from raw, not from the mart.
with loaded as (
    select distinct list_date from {{ source('raw', 'top500_entries') }}
),

epoch_range as (
    select
        min(first_operational_date) as epoch_from,
        max(first_operational_date) as epoch_until
    from {{ source('raw', 'epoch_gpu_clusters') }}
    where status in ('Existing', 'Decommissioned')
),

per_date as (
    select
        list_date,
        count(*) as country_rows,
        count(*) filter (where is_within_epoch_coverage) as covered_rows,
        count(clusters_operational) as rows_with_cluster_figures
    from {{ ref('national_compute') }}
    group by list_date
)

select
    loaded.list_date, per_date.country_rows, per_date.covered_rows, per_date.rows_with_cluster_figures,
    epoch_range.epoch_from, epoch_range.epoch_until
from loaded
cross join epoch_range
left join per_date using (list_date)
where
    per_date.list_date is null
    or (
        loaded.list_date between epoch_range.epoch_from and epoch_range.epoch_until
        and (
            per_date.covered_rows <> per_date.country_rows
            or per_date.rows_with_cluster_figures <> per_date.country_rows
        )
    )
    or (
        loaded.list_date not between epoch_range.epoch_from and epoch_range.epoch_until
        and (per_date.covered_rows > 0 or per_date.rows_with_cluster_figures > 0)
    )
