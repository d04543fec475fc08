-- Every TOP500 list loaded in raw is in national_compute (a list-grain mart), with cluster figures on every
-- list date up to where the Epoch data ends and none after. Lists come from raw, not from the mart.
with loaded as (
    select distinct list_date from {{ source('raw', 'top500_entries') }}
),

epoch_end as (
    select max(first_operational_date) as until
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
    epoch_end.until as epoch_data_until
from loaded
cross join epoch_end
left join per_date using (list_date)
where
    per_date.list_date is null
    or (
        loaded.list_date <= epoch_end.until
        and (
            per_date.covered_rows <> per_date.country_rows
            or per_date.rows_with_cluster_figures <> per_date.country_rows
        )
    )
    or (
        loaded.list_date > epoch_end.until
        and (per_date.covered_rows > 0 or per_date.rows_with_cluster_figures > 0)
    )
