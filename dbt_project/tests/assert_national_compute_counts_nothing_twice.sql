-- national_compute adds listed systems and clusters without counting one twice: total_h100e is the listed
-- systems' H100-equivalents plus the clusters not on that list; the listed part equals the entries' own
-- H100-equivalents (int_top500__h100_equivalents), every system once; and unlisted clusters are a part of all
-- operational clusters.
with listed as (
    select list_date, coalesce(sum(h100e), 0) as h100e, count(*) as systems
    from {{ ref('int_top500__h100_equivalents') }}
    group by list_date
),

mart as (
    select
        list_date,
        sum(top500_h100e) as top500_h100e,
        sum(top500_systems) as top500_systems,
        bool_and(
            total_h100e is not distinct from
            case when is_within_epoch_coverage then top500_h100e + unlisted_cluster_h100e end
        ) as total_adds_up,
        bool_and(
            not is_within_epoch_coverage
            or (
                unlisted_clusters <= clusters_operational
                and unlisted_cluster_h100e <= ai_cluster_h100e + 1e-6
            )
        ) as unlisted_within_operational
    from {{ ref('national_compute') }}
    group by list_date
)

select
    listed.list_date, listed.h100e, mart.top500_h100e, listed.systems, mart.top500_systems, mart.total_adds_up,
    mart.unlisted_within_operational
from listed
left join mart using (list_date)
where
    mart.list_date is null
    or abs(listed.h100e - mart.top500_h100e) > 1e-6
    or listed.systems <> mart.top500_systems
    or not mart.total_adds_up
    or not mart.unlisted_within_operational
