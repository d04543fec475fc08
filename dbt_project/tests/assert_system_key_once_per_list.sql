-- A system is at most one entry of a list: a key on two ranks means a bad link.
select list_date, system_key, count(*) as entries
from {{ ref('list_entries') }}
group by list_date, system_key
having count(*) > 1
