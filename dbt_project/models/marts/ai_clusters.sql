-- depends_on: {{ ref('source_coverage') }}
-- One row per Epoch AI GPU-cluster record, in the warehouse's spellings and units, with the TOP500 system it
-- is when it is on the lists (the shared match; see int_ai_clusters__top500_matches).
with periods as (

    select * from {{ ref('int_ai_clusters__operational_periods') }}

),

matches as (

    select * from {{ ref('int_ai_clusters__top500_matches') }}

)

select
    periods.cluster_id,
    periods.cluster_name,
    periods.owner,
    periods.country,
    country_codes.country_code,
    periods.status,
    periods.certainty,
    periods.sector,
    periods.first_operational_date,
    periods.decommissioned_date,
    periods.chip_type_primary as chip,
    periods.chip_quantity_primary::double as chip_count,
    periods.h100e::double as h100e,
    periods.h100e_method,
    periods.epoch_h100e::double as epoch_h100e,
    periods.tflops_16bit::double as peak_16bit_tflops,
    periods.power_capacity_mw::double as power_mw,
    periods.is_in_supply,
    periods.in_supply_from,
    periods.in_supply_until,
    periods.superseded_by,
    periods.is_possible_duplicate,
    matches.top500_system_key,
    matches.top500_match_rule,
    systems.system_name as top500_system_name,
    matches.top500_partial_system_key,
    periods.source_line::integer as source_line
from periods
inner join matches using (cluster_id)
left join {{ ref('systems') }} as systems on systems.system_key = matches.top500_system_key
left join {{ ref('country_codes') }} as country_codes on country_codes.country = periods.country
