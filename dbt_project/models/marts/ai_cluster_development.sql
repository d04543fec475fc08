-- The world's operational AI clusters per list date the Epoch data covers: compute, site power and hardware
-- cost (with the reported share of each), and who owns the compute (the private share).
with clusters as (

    select * from {{ ref('int_national_compute__units') }}
    where unit_kind = 'ai_cluster'

),

per_list as (

    select
        list_date,
        count(*) as clusters_operational,
        coalesce(sum(h100e), 0) as ai_cluster_h100e,
        coalesce(sum(power_mw), 0) as power_mw,
        coalesce(sum(power_mw) filter (where power_basis = 'reported'), 0) as power_reported_mw,
        coalesce(sum(hardware_cost_usd), 0) as hardware_cost_usd,
        coalesce(sum(hardware_cost_usd) filter (where hardware_cost_basis = 'reported'), 0)
            as hardware_cost_reported_usd,
        coalesce(sum(h100e) filter (where ownership = 'private'), 0) as private_h100e,
        coalesce(sum(h100e) filter (where ownership = 'public'), 0) as public_h100e,
        coalesce(sum(h100e) filter (where ownership is null), 0) as sector_unknown_h100e
    from clusters
    group by list_date

)

select
    list_date,
    strftime(list_date, '%Y-%m') as list_label,
    clusters_operational::integer as clusters_operational,
    ai_cluster_h100e::double as ai_cluster_h100e,
    power_mw::double as power_mw,
    (100 * power_reported_mw / nullif(power_mw, 0))::double as power_reported_pct,
    hardware_cost_usd::double as hardware_cost_usd,
    (100 * hardware_cost_reported_usd / nullif(hardware_cost_usd, 0))::double as hardware_cost_reported_pct,
    private_h100e::double as private_h100e,
    public_h100e::double as public_h100e,
    sector_unknown_h100e::double as sector_unknown_h100e,
    (100 * private_h100e / nullif(private_h100e + public_h100e, 0))::double as private_share_pct
from per_list
