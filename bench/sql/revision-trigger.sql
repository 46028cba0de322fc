-- Is to_jsonb(NEW) a cost worth removing from the devices' revision trigger? The generic nexodus_bump_revision
-- (migration V2) reads its scope column as to_jsonb(NEW) ->> 'vpc_id', the whole row made into JSON on every
-- device write, where a devices-only function could read NEW.vpc_id. This times the two expressions alone over
-- 100,000 nexd-sized device rows (key, two endpoints, addresses, a sealed token), five times each, alternating,
-- inside a transaction it rolls back. Run on a migrated database (docs/benchmarks.md, "The revision trigger"):
--   psql -d <db> -f bench/sql/revision-trigger.sql
\set ON_ERROR_STOP on
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS pgcrypto;
BEGIN;
INSERT INTO users (id, idp_id, user_name, full_name, picture)
    VALUES ('00000000-0000-0000-0000-0000000000b1', 'bench', 'bench', 'Bench', '') ON CONFLICT DO NOTHING;
INSERT INTO organizations (id, name, description)
    VALUES ('00000000-0000-0000-0000-0000000000b1', 'bench', 'trigger bench') ON CONFLICT DO NOTHING;
INSERT INTO vpcs (id, organization_id, description, private_cidr, ipv4_cidr, ipv6_cidr)
    VALUES ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000b1', 'bench', false,
            '100.64.0.0/10', '200::/64') ON CONFLICT DO NOTHING;
INSERT INTO devices (id, owner_id, vpc_id, organization_id, public_key, allowed_ips, advertise_cidrs, relay,
                     symmetric_nat, hostname, os, endpoints, online, token_hash, token_ciphertext)
SELECT gen_random_uuid(), '00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000b1',
       '00000000-0000-0000-0000-0000000000b1', encode(gen_random_bytes(32), 'base64'),
       ARRAY['100.64.' || (i / 250 % 250) || '.' || (i % 250) || '/32', '200::' || to_hex(i) || '/128'], '{}', false,
       false, 'host-' || i, 'linux',
       jsonb_build_array(jsonb_build_object('source', 'local', 'address', '192.168.1.' || (i % 250) || ':51820'),
                         jsonb_build_object('source', 'stun:stun1.l.google.com:19302', 'address', '203.0.113.' || (i % 250) || ':51820')),
       false, gen_random_bytes(32), gen_random_bytes(96)
FROM generate_series(1, 100000) AS i;

CREATE TEMP TABLE timings (expression text, ms numeric) ON COMMIT DROP;
DO $$
DECLARE t0 timestamptz; n bigint;
BEGIN
    FOR round IN 1..5 LOOP
        t0 := clock_timestamp();
        SELECT count(DISTINCT hashtext(to_jsonb(d) ->> 'vpc_id')) INTO n FROM devices d;
        INSERT INTO timings VALUES ('hashtext(to_jsonb(NEW) ->> ''vpc_id'')', extract(epoch FROM clock_timestamp() - t0) * 1000);
        t0 := clock_timestamp();
        SELECT count(DISTINCT hashtext(d.vpc_id::text)) INTO n FROM devices d;
        INSERT INTO timings VALUES ('hashtext(NEW.vpc_id::text)', extract(epoch FROM clock_timestamp() - t0) * 1000);
    END LOOP;
END $$;
SELECT expression, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY ms)::numeric, 1) AS median_ms_100k_rows,
       round((percentile_cont(0.5) WITHIN GROUP (ORDER BY ms) * 1000 / 100000)::numeric, 2) AS us_per_row
FROM timings GROUP BY expression ORDER BY expression;
ROLLBACK;
