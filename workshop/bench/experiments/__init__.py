"""The measurements beyond ``bench``'s profiles, one module each, as the notebooks run
them: stage 02's safe pages, stage 03's scale-out and drill, the shopper's trip, stage
04's rebuild, stage 05's replication, failover drill and migration under load, and the
memcached drill."""
