-- Every country of the Epoch GPU-cluster file has a TOP500 spelling in seed epoch_country_names: a new
-- spelling fails here, naming the cluster, the country as written and the file line.
select clusters.name as cluster_name, clusters.country as epoch_country, clusters.source_file, clusters.source_line
from {{ source('raw', 'epoch_gpu_clusters') }} as clusters
left join {{ ref('epoch_country_names') }} as countries
    on countries.epoch_country = clusters.country
where
    clusters.country is not null
    and countries.country is null
