-- HPL-MxP results, each with the TOP500 entry it names, its speed-up over HPL, and that entry's
-- H100-equivalent estimate beside the measured mixed-precision rate. The page prints the system's TOP500
-- rank as of its submission and does not always follow later lists (2023-11 prints Selene at #9, where Eos
-- stands), so the entry at the printed rank is taken only with evidence: its name and the result's agree
-- (one contains the other, letters and digits only: "Flow Type I" and "Flow"), or its site agrees (the
-- page's site before any comma, the same way) and its Rmax is the HPL Rmax the page prints within 3%
-- ("JUWELS BM" at FZJ is the "JUWELS Booster Module"). Where the printed rank is off (often by one or two
-- on the corrected lists), the one entry of the list whose name agrees and whose Rmax is within 3% is it.
-- Rmax alone is no evidence: neighbours on a list have nearly the same Rmax.
with results as (

    select * from {{ ref('stg_hpl_mxp__results') }}

),

entries as (

    select * from {{ ref('list_entries') }}

),

h100e as (

    select list_date, rank, h100e from {{ ref('int_top500__h100_equivalents') }}

),

keyed as (

    select
        results.list_date,
        results.rank,
        results.top500_rank as printed_top500_rank,
        results.hpl_rmax_eflops * 1e6 as page_rmax_tflops,
        lower(regexp_replace(results.computer, '[^A-Za-z0-9]', '', 'g')) as name_key,
        lower(regexp_replace(split_part(results.site, ',', 1), '[^A-Za-z0-9]', '', 'g')) as site_key
    from results

),

candidates as (

    select
        keyed.list_date,
        keyed.rank,
        entries.rank as top500_rank,
        entries.system_key,
        entries.system_name,
        entries.rmax_tflops,
        entries.rank = keyed.printed_top500_rank as is_printed_rank,
        contains(
            lower(regexp_replace(coalesce(entries.name, entries.computer), '[^A-Za-z0-9]', '', 'g')), keyed.name_key
        )
        or contains(
            keyed.name_key, lower(regexp_replace(coalesce(entries.name, entries.computer), '[^A-Za-z0-9]', '', 'g'))
        )
            as is_same_name,
        contains(lower(regexp_replace(entries.site, '[^A-Za-z0-9]', '', 'g')), keyed.site_key)
        or contains(keyed.site_key, lower(regexp_replace(entries.site, '[^A-Za-z0-9]', '', 'g'))) as is_same_site,
        abs(entries.rmax_tflops - keyed.page_rmax_tflops) <= 0.03 * entries.rmax_tflops as is_same_rmax
    from keyed
    inner join entries on keyed.list_date = entries.list_date

),

evidence as (

    select
        *,
        case
            when is_printed_rank and is_same_name then 1
            when is_printed_rank and is_same_site and is_same_rmax then 2
            when is_same_name and is_same_rmax then 3
        end as strength
    from candidates

),

links as (

    select
        *,
        case strength when 1 then 'name' when 2 then 'site_rmax' else 'name_rmax' end as link_rule
    from evidence
    where strength is not null
    -- the strongest evidence per result; name_rmax only where one entry of the list has it
    qualify
        row_number() over (partition by list_date, rank order by strength, top500_rank) = 1
        and (strength < 3 or count(*) over (partition by list_date, rank, strength) = 1)

)

select
    results.list_date,
    results.list_label,
    results.rank::integer as hpl_mxp_rank,
    results.site,
    results.computer,
    results.cores::bigint as cores,
    results.hpl_mxp_eflops::double as hpl_mxp_eflops,
    results.hpl_rmax_eflops::double as hpl_rmax_eflops,
    results.speedup_over_hpl::double as speedup_over_hpl,
    results.speedup::double as published_speedup,
    results.notes,
    results.top500_rank::integer as printed_top500_rank,
    links.top500_rank::integer as top500_rank,
    links.system_key,
    links.system_name as top500_system_name,
    links.rmax_tflops::double as top500_rmax_tflops,
    h100e.h100e::double as top500_h100e,
    links.link_rule as top500_link_rule
from results
left join links using (list_date, rank)
left join h100e
    on links.list_date = h100e.list_date and links.top500_rank = h100e.rank
