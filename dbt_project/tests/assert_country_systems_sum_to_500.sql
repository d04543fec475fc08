-- Every list's countries together hold exactly its 500 systems.
select list_date, sum(systems) as systems
from {{ ref('country_list_stats') }}
group by list_date
having sum(systems) <> 500
