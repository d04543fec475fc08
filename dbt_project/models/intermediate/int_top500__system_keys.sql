-- Stable system_key per entry: follow predecessor links back to the first
-- list a system appears on, then name the whole chain once (see the YAML).
with recursive links as (

    select * from {{ ref('int_top500__entry_links') }}

),

chains as (

    select entry_id, entry_id as root_entry_id, 1 as chain_position
    from links
    where previous_entry_id is null

    union all

    select links.entry_id, chains.root_entry_id, chains.chain_position + 1
    from chains
    inner join links on links.previous_entry_id = chains.entry_id

),

chain_system_ids as (

    -- the first System ID a chain carries (chains entering the ID era)
    select chains.root_entry_id, arg_min(links.system_id, links.edition) as chain_system_id
    from chains
    inner join links using (entry_id)
    where links.system_id is not null
    group by chains.root_entry_id

),

roots as (

    select
        entry_id as root_entry_id,
        strftime(list_date, '%Y-%m') || '#' || lpad(rank::varchar, 3, '0') as synthetic_key
    from links

)

select
    links.entry_id,
    links.list_date,
    links.rank,
    -- one key for the whole chain: its first System ID (an entry keyed before its ID appeared, or after an
    -- upgrade gave it a new ID, carries the chain's key, not its own)
    coalesce(chain_system_ids.chain_system_id, roots.synthetic_key) as system_key,
    case
        when links.system_id = chain_system_ids.chain_system_id then 'system_id'
        when chain_system_ids.chain_system_id is not null then 'linked_to_system_id'
        else 'first_entry'
    end as system_key_source,
    chains.root_entry_id,
    chains.chain_position,
    -- a re_entry link reaches back past a gap: the system was not on the previous list
    coalesce(links.previous_entry_id is not null and links.link_method <> 're_entry', false)
        as is_linked_to_previous_list,
    links.link_method,
    -- new on this list as the list counts it: no predecessor, or back after a gap without a printed
    -- Previous Rank (from 2012-06 the list prints one for every system it carries over or takes back)
    links.previous_entry_id is null or (links.link_method = 're_entry' and links.previous_rank is null)
        as is_new_entrant
from links
inner join chains using (entry_id)
left join chain_system_ids using (root_entry_id)
left join roots using (root_entry_id)
