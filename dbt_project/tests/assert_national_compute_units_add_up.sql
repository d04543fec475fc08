-- The units that national_compute's power, cost and ownership add up (int_national_compute__units) are the ones
-- its H100-equivalents count: per list date and country, the counted units give total_h100e and every cluster
-- gives ai_cluster_h100e. A rule changed on one side only shows here as the country and date it moves.
with units as (

    select
        list_date,
        country,
        coalesce(sum(h100e) filter (where is_counted_in_total), 0) as counted_h100e,
        coalesce(sum(h100e) filter (where unit_kind = 'ai_cluster'), 0) as cluster_h100e
    from {{ ref('int_national_compute__units') }}
    group by list_date, country

)

select
    national.list_label,
    national.country,
    national.total_h100e,
    coalesce(units.counted_h100e, 0) as counted_h100e,
    national.ai_cluster_h100e,
    coalesce(units.cluster_h100e, 0) as cluster_h100e
from {{ ref('national_compute') }} as national
left join units using (list_date, country)
where
    national.is_within_epoch_coverage
    and (
        abs(national.total_h100e - coalesce(units.counted_h100e, 0)) > 1e-6 * greatest(national.total_h100e, 1)
        or abs(national.ai_cluster_h100e - coalesce(units.cluster_h100e, 0))
        > 1e-6 * greatest(national.ai_cluster_h100e, 1)
    )
