-- One row per list x rank: every normalized column, the stable system_key, the accelerator's matched vendor
-- spec (NULL when no spec matched) and the entry's H100-equivalents with how they were estimated.
with entries as (

    select * from {{ ref('stg_top500__list_entries') }}

),

system_keys as (

    select * from {{ ref('int_top500__system_keys') }}

),

spec_matches as (

    select * from {{ ref('int_accelerator_spec_matches') }}

),

h100_equivalents as (

    select * from {{ ref('int_top500__h100_equivalents') }}

),

country_codes as (

    select * from {{ ref('country_codes') }}

)

select
    entries.list_date,
    entries.list_label,
    entries.edition,
    entries.rank,
    system_keys.system_key,
    system_keys.is_linked_to_previous_list,
    system_keys.link_method,
    system_keys.is_new_entrant,
    entries.previous_rank,
    entries.first_appearance,
    entries.first_rank,
    entries.system_id,
    entries.site_id,
    entries.system_name,
    entries.name,
    entries.computer,
    entries.site,
    entries.manufacturer,
    entries.vendor,
    entries.country,
    country_codes.country_code,
    entries.region,
    entries.continent,
    entries.continent_reported,
    entries.year,
    entries.segment,
    entries.application_area,
    entries.total_cores,
    entries.cores_per_socket,
    entries.accelerator,
    entries.accelerator_family,
    entries.accelerator_cores,
    spec_matches.accelerator_spec_name,
    spec_matches.match_rule as accelerator_match_rule,
    entries.rmax_tflops,
    entries.rpeak_tflops,
    entries.hpcg_tflops,
    entries.nmax,
    entries.nhalf,
    entries.power_kw,
    entries.power_source,
    entries.energy_efficiency_gflops_per_w,
    entries.hpl_efficiency_pct,
    entries.processor,
    entries.processor_family,
    entries.processor_technology,
    entries.processor_generation,
    entries.processor_family_group,
    entries.processor_speed_mhz,
    entries.system_family,
    entries.system_model,
    entries.operating_system,
    entries.os_family,
    entries.os_family_group,
    entries.architecture,
    entries.interconnect_family,
    entries.interconnect_family_group,
    entries.interconnect,
    entries.memory,
    h100_equivalents.h100e,
    h100_equivalents.h100e_method,
    entries.source_file,
    entries.loaded_at
from entries
inner join system_keys
    on
        system_keys.list_date = entries.list_date
        and system_keys.rank = entries.rank
left join spec_matches
    on spec_matches.accelerator = entries.accelerator
inner join h100_equivalents
    on
        h100_equivalents.list_date = entries.list_date
        and h100_equivalents.rank = entries.rank
left join country_codes
    on country_codes.country = entries.country
