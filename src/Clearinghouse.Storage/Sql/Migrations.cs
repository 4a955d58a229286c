namespace Clearinghouse.Storage.Sql;

/// <summary>One step of the schema's history. Applied in order, each in the migrating transaction, never edited once released.</summary>
internal sealed record Migration(int Version, string Description, string Sql);

/// <summary>
/// The schema, as versioned steps written once for both databases. The few types that differ are tokens the
/// dialect replaces: <c>{id}</c> (an auto-assigned, never reused 64-bit key), <c>{bool}</c> and <c>{blob}</c>.
/// Times are Unix microseconds (<c>*_us</c>) and enumerations small integers, so both databases store the same
/// values and the code that reads them is shared.
/// </summary>
internal static class Migrations
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, "members, keys, groups, taxonomy, banks, signals, opinions, matches, change feed", """
            CREATE TABLE change_position (
                id integer PRIMARY KEY CHECK (id = 1),
                position bigint NOT NULL);
            INSERT INTO change_position (id, position) VALUES (1, 0);

            CREATE TABLE taxonomy_versions (
                version integer PRIMARY KEY,
                document text NOT NULL,
                applied_us bigint NOT NULL);
            CREATE TABLE categories (
                id text PRIMARY KEY,
                title text NOT NULL,
                description text NOT NULL,
                requires_designation {bool} NOT NULL,
                ordinal integer NOT NULL);

            CREATE TABLE members (
                id {id},
                name text NOT NULL UNIQUE,
                created_us bigint NOT NULL,
                active {bool} NOT NULL);
            CREATE TABLE api_keys (
                id {id},
                member_id bigint NOT NULL REFERENCES members (id),
                key_id text NOT NULL UNIQUE,
                salt {blob} NOT NULL,
                secret_hash {blob} NOT NULL,
                scopes integer NOT NULL,
                label text,
                created_us bigint NOT NULL,
                revoked_us bigint);
            CREATE INDEX api_keys_member ON api_keys (member_id, id);

            CREATE TABLE sharing_groups (
                id {id},
                name text NOT NULL UNIQUE,
                created_us bigint NOT NULL);
            CREATE TABLE group_members (
                group_id bigint NOT NULL REFERENCES sharing_groups (id),
                member_id bigint NOT NULL REFERENCES members (id),
                PRIMARY KEY (group_id, member_id));
            CREATE INDEX group_members_member ON group_members (member_id, group_id);

            CREATE TABLE banks (
                id {id},
                name text NOT NULL,
                category text NOT NULL,
                owner_id bigint NOT NULL REFERENCES members (id),
                scope integer NOT NULL,
                group_id bigint REFERENCES sharing_groups (id),
                enabled {bool} NOT NULL,
                negative {bool} NOT NULL,
                thresholds text NOT NULL,
                description text,
                created_us bigint NOT NULL,
                deleted {bool} NOT NULL,
                change_seq bigint NOT NULL);
            CREATE UNIQUE INDEX banks_live_name ON banks (name) WHERE deleted = FALSE;
            CREATE UNIQUE INDEX banks_change_seq ON banks (change_seq);

            CREATE TABLE signals (
                id {id},
                public_id text NOT NULL UNIQUE,
                signal_type text NOT NULL,
                value text NOT NULL,
                bank_id bigint NOT NULL,
                category text NOT NULL,
                designation text,
                contributor_id bigint NOT NULL,
                created_us bigint NOT NULL,
                status integer NOT NULL,
                positive integer NOT NULL,
                negative integer NOT NULL,
                investigation_seed integer NOT NULL,
                metadata text,
                change_seq bigint NOT NULL);
            -- bank_id and contributor_id carry no foreign keys: the store checks both under the change lock before a
            -- bulk insert, and neither banks (soft-deleted) nor members are ever deleted, so they cannot dangle; a
            -- per-row check cost PostgreSQL about a third of a bulk insert.
            -- A value is live at most once per bank and type (2 = withdrawn); withdrawn rows stay for the record.
            CREATE UNIQUE INDEX signals_live_value ON signals (bank_id, signal_type, value) WHERE status <> 2;
            CREATE UNIQUE INDEX signals_change_seq ON signals (change_seq);
            CREATE INDEX signals_bank ON signals (bank_id, id);

            CREATE TABLE opinions (
                signal_id bigint NOT NULL REFERENCES signals (id),
                member_id bigint NOT NULL REFERENCES members (id),
                kind integer NOT NULL,
                note text,
                at_us bigint NOT NULL,
                PRIMARY KEY (signal_id, member_id));

            CREATE TABLE matches (
                id {id},
                member_id bigint NOT NULL REFERENCES members (id),
                signal_id bigint NOT NULL REFERENCES signals (id),
                bank_id bigint NOT NULL REFERENCES banks (id),
                signal_type text NOT NULL,
                distance integer NOT NULL,
                at_us bigint NOT NULL);
            CREATE INDEX matches_member ON matches (member_id, id);
            """),
        new(2, "designations (entries of designation lists such as the UN Security Council Consolidated List)", """
            -- One row per entry of a designation list (list 'un', reference 'QDe.115'). Individuals are kept as a
            -- reference and a kind only: name is NULL for them (the store holds nothing about people). Entries that
            -- leave the list are marked delisted, never deleted, because signals may still name them.
            CREATE TABLE designations (
                id {id},
                list text NOT NULL,
                reference text NOT NULL,
                kind integer NOT NULL,
                listed_on text,
                name text,
                first_seen_us bigint NOT NULL,
                last_seen_us bigint NOT NULL,
                delisted_us bigint,
                CHECK (kind = 0 OR name IS NULL));
            CREATE UNIQUE INDEX designations_reference ON designations (list, reference);
            """),
        new(3, "transparency log (entries, tiles, head), signal commitments, disputes, member notifications", """
            -- The log: one row per entry (its canonical JSON), its Merkle tree as tiles (Clearinghouse.Ledger's
            -- layout: bottom row plus interior rows, a partial right-edge tile rewritten as it grows), and the head
            -- (size and root) the last append left. All three are written in the transaction of the change an entry
            -- records, under the change lock, so the log has one total order across replicas.
            CREATE TABLE log_head (
                id integer PRIMARY KEY CHECK (id = 1),
                size bigint NOT NULL,
                root {blob});
            INSERT INTO log_head (id, size, root) VALUES (1, 0, NULL);
            CREATE TABLE log_entries (
                idx bigint PRIMARY KEY,
                body {blob} NOT NULL);
            CREATE TABLE log_tiles (
                level integer NOT NULL,
                idx bigint NOT NULL,
                width integer NOT NULL,
                hashes {blob} NOT NULL,
                PRIMARY KEY (level, idx));

            -- Each signal's commitment salt (members who see the signal may read it) and its signal-added entry.
            CREATE TABLE signal_commitments (
                signal_id bigint PRIMARY KEY,
                salt {blob} NOT NULL,
                log_index bigint NOT NULL);

            -- Disputes: by a member (filed_by) or an outside party (no name; an optional contact the node never
            -- publishes). Resolution: 1 upheld (the signal is withdrawn), 2 rejected; both with a public reason.
            CREATE TABLE disputes (
                id {id},
                public_id text NOT NULL UNIQUE,
                signal_id bigint NOT NULL REFERENCES signals (id),
                filed_by bigint REFERENCES members (id),
                statement text NOT NULL,
                contact text,
                filed_us bigint NOT NULL,
                filed_index bigint NOT NULL,
                outcome integer,
                reason text,
                resolved_us bigint,
                resolved_index bigint);
            CREATE INDEX disputes_open ON disputes (resolved_us, id);

            -- What a member should hear about (a dispute against its signal, its resolution): a queue it reads.
            CREATE TABLE notifications (
                id {id},
                member_id bigint NOT NULL REFERENCES members (id),
                kind text NOT NULL,
                dispute_id text NOT NULL,
                signal_public_id text NOT NULL,
                detail text NOT NULL,
                at_us bigint NOT NULL);
            CREATE INDEX notifications_member ON notifications (member_id, id);
            """),
        new(4, "action rules and their audit, webhook endpoints and the delivery outbox, review items, content copies and decisions", """
            -- All of it is private to a member. Nothing here describes a person: a reviewer is a user name of the
            -- member's reviewer account; content copies exist only when the member uploaded content for review.
            CREATE TABLE webhook_endpoints (
                id {id},
                member_id bigint NOT NULL REFERENCES members (id),
                url text NOT NULL,
                secret text NOT NULL,
                description text,
                enabled {bool} NOT NULL,
                created_us bigint NOT NULL,
                deleted {bool} NOT NULL);
            CREATE INDEX webhook_endpoints_member ON webhook_endpoints (member_id, id);

            -- Selectors are JSON arrays (empty: any); neither review_priority nor webhook_endpoint_id: record only.
            CREATE TABLE action_rules (
                id {id},
                member_id bigint NOT NULL REFERENCES members (id),
                name text NOT NULL,
                bank_ids text NOT NULL,
                categories text NOT NULL,
                signal_types text NOT NULL,
                max_distance integer,
                include_disputed {bool} NOT NULL,
                review_priority integer,
                webhook_endpoint_id bigint REFERENCES webhook_endpoints (id),
                enabled {bool} NOT NULL,
                created_us bigint NOT NULL,
                updated_us bigint NOT NULL,
                deleted {bool} NOT NULL);
            CREATE INDEX action_rules_member ON action_rules (member_id, id);

            -- Who changed a rule (an API key id or a reviewer's user name), when, and the rule as JSON after it.
            CREATE TABLE action_rule_audit (
                id {id},
                rule_id bigint NOT NULL REFERENCES action_rules (id),
                member_id bigint NOT NULL REFERENCES members (id),
                change integer NOT NULL,
                actor text NOT NULL,
                at_us bigint NOT NULL,
                rule text NOT NULL);
            CREATE INDEX action_rule_audit_member ON action_rule_audit (member_id, id);

            -- The outbox, written in the transaction of the matches that caused each delivery. state: 0 pending,
            -- 1 delivered, 2 dead. A dispatcher leases a row (lease_until_us) while it attempts it.
            CREATE TABLE webhook_deliveries (
                id {id},
                endpoint_id bigint NOT NULL REFERENCES webhook_endpoints (id),
                member_id bigint NOT NULL REFERENCES members (id),
                idempotency_key text NOT NULL UNIQUE,
                event_type text NOT NULL,
                payload text NOT NULL,
                state integer NOT NULL,
                attempts integer NOT NULL,
                next_attempt_us bigint NOT NULL,
                lease_until_us bigint NOT NULL,
                last_status integer,
                last_error text,
                created_us bigint NOT NULL,
                delivered_us bigint);
            CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (endpoint_id, id) WHERE state = 0;
            CREATE INDEX webhook_deliveries_member ON webhook_deliveries (member_id, id);

            -- Copies of content uploaded for review, deleted after the decision or at expires_us.
            CREATE TABLE review_content (
                id {id},
                media_type text NOT NULL,
                bytes {blob} NOT NULL,
                expires_us bigint NOT NULL);
            CREATE INDEX review_content_expiry ON review_content (expires_us);

            -- state: 0 open, 1 escalated, 2 decided. content_signals: the content's own hashes, as JSON.
            CREATE TABLE review_items (
                id {id},
                member_id bigint NOT NULL REFERENCES members (id),
                rule_id bigint REFERENCES action_rules (id),
                priority integer NOT NULL,
                state integer NOT NULL,
                created_us bigint NOT NULL,
                content_signals text NOT NULL,
                content_id bigint REFERENCES review_content (id) ON DELETE SET NULL);
            CREATE INDEX review_items_queue ON review_items (member_id, state, id);
            CREATE INDEX review_items_priority ON review_items (member_id, state, priority, id);

            -- The matches an item reviews, with the bank and category they had (for filtering the queue).
            CREATE TABLE review_item_matches (
                item_id bigint NOT NULL REFERENCES review_items (id),
                match_id bigint NOT NULL REFERENCES matches (id),
                signal_id bigint NOT NULL REFERENCES signals (id),
                bank_id bigint NOT NULL,
                category text NOT NULL,
                signal_type text NOT NULL,
                distance integer NOT NULL,
                PRIMARY KEY (item_id, match_id));

            -- decision: 0 confirm, 1 overturn, 2 escalate.
            CREATE TABLE review_decisions (
                id {id},
                item_id bigint NOT NULL REFERENCES review_items (id),
                decision integer NOT NULL,
                reviewer text NOT NULL,
                at_us bigint NOT NULL,
                target_bank_id bigint REFERENCES banks (id),
                added_signals integer NOT NULL,
                note text);
            CREATE INDEX review_decisions_item ON review_decisions (item_id, id);
            """),
        new(5, "reviewers (members' users with the review scope), their wellness settings and sign-in bookkeeping", """
            -- A reviewer belongs to a member; its username is unique within the member. password_hash is a PHC
            -- string of a slow KDF (Argon2id). session_epoch ends existing sign-ins when raised (disable, new
            -- password). failed_sign_ins and locked_until_us back off repeated wrong passwords.
            CREATE TABLE reviewers (
                id {id},
                member_id bigint NOT NULL REFERENCES members (id),
                username text NOT NULL,
                password_hash text NOT NULL,
                scopes integer NOT NULL,
                blur_previews {bool} NOT NULL,
                break_after_items integer NOT NULL,
                break_after_minutes integer NOT NULL,
                created_us bigint NOT NULL,
                disabled_us bigint,
                session_epoch bigint NOT NULL,
                failed_sign_ins integer NOT NULL,
                locked_until_us bigint,
                last_sign_in_us bigint);
            CREATE UNIQUE INDEX reviewers_member_username ON reviewers (member_id, username);
            """),
        new(6, "federation: peers and their sync state, imported signals' provenance, the outbox of opinions owed back", """
            -- The member feed reads signal-added entries by log index.
            CREATE INDEX signal_commitments_log ON signal_commitments (log_index);

            -- A peer node this node pulls from. api_key is the credential the peer issued to this node: the node must
            -- present it, so it is stored as given (like a database password in a config file). Sync state: cursor
            -- = entries of the peer's log verified and applied; frontier = the peer's tree's right edge at the cursor;
            -- checkpoint_* = the newest signed checkpoint verified.
            CREATE TABLE peers (
                id {id},
                name text NOT NULL UNIQUE,
                url text NOT NULL,
                verifier_key text NOT NULL,
                api_key text NOT NULL,
                banks text NOT NULL,
                categories text NOT NULL,
                local_bank_id bigint NOT NULL REFERENCES banks (id),
                member_id bigint NOT NULL REFERENCES members (id),
                send_opinions {bool} NOT NULL,
                enabled {bool} NOT NULL,
                created_us bigint NOT NULL,
                cursor bigint NOT NULL,
                frontier {blob} NOT NULL,
                checkpoint_size bigint NOT NULL,
                checkpoint_root {blob},
                checkpoint_note text,
                imported bigint NOT NULL,
                withdrawn bigint NOT NULL,
                skipped bigint NOT NULL,
                last_sync_us bigint,
                last_error text,
                last_error_us bigint,
                stopped {bool} NOT NULL);

            -- One row per signal-added event imported from a peer (keyed by the peer's public id, so re-applying it is
            -- a no-op). owned: this import created the local signal (a withdrawal at the peer withdraws it); false when
            -- the value was live in the local bank already.
            CREATE TABLE imported_signals (
                peer_id bigint NOT NULL REFERENCES peers (id) ON DELETE CASCADE,
                peer_public_id text NOT NULL,
                peer_index bigint NOT NULL,
                peer_signal_id bigint NOT NULL,
                signal_id bigint NOT NULL REFERENCES signals (id),
                owned {bool} NOT NULL,
                origin_log text NOT NULL,
                origin_public_id text NOT NULL,
                origin_member text NOT NULL,
                PRIMARY KEY (peer_id, peer_public_id));
            CREATE INDEX imported_signals_index ON imported_signals (peer_id, peer_index);
            CREATE INDEX imported_signals_signal ON imported_signals (signal_id);

            -- Negative opinions and upheld disputes on imported signals, owed to the peer; written in the transaction
            -- of the opinion or resolution, kept until the peer accepted them.
            CREATE TABLE federation_outbox (
                id {id},
                peer_id bigint NOT NULL REFERENCES peers (id) ON DELETE CASCADE,
                kind integer NOT NULL,
                peer_public_id text NOT NULL,
                peer_signal_id bigint NOT NULL,
                note text NOT NULL,
                created_us bigint NOT NULL,
                attempts integer NOT NULL,
                next_attempt_us bigint NOT NULL,
                sent_us bigint,
                last_error text);
            CREATE INDEX federation_outbox_due ON federation_outbox (peer_id, sent_us, next_attempt_us);
            """),
        new(7, "exchanges (imports from hash-sharing programs): configuration, checkpoint, imported signals and their labels", """
            -- A configured import from a program (tcap, threatexchange, ncmec, stopncii, local_file, hma) into one bank.
            -- settings: the program's non-secret settings as a JSON object (secrets are read from the environment or a
            -- file at sync time, never stored). checkpoint: the program's opaque position after the last applied page.
            -- generation: bumped when a full fetch starts; rows still on an older generation when it ends are withdrawn.
            CREATE TABLE exchanges (
                id {id},
                name text NOT NULL UNIQUE,
                program text NOT NULL,
                bank_id bigint NOT NULL REFERENCES banks (id),
                contributor_id bigint NOT NULL REFERENCES members (id),
                settings text NOT NULL,
                enabled {bool} NOT NULL,
                checkpoint text,
                generation bigint NOT NULL,
                created_us bigint NOT NULL,
                last_sync_us bigint,
                last_error text);

            -- The live signals an exchange imported, under the program's record key, with the labels of the record's
            -- last update (the program's originals and what they map to). A row goes when its signal is withdrawn.
            CREATE TABLE exchange_signals (
                exchange_id bigint NOT NULL REFERENCES exchanges (id),
                signal_id bigint NOT NULL REFERENCES signals (id),
                record_key text NOT NULL,
                labels text NOT NULL,
                generation bigint NOT NULL,
                PRIMARY KEY (exchange_id, signal_id));
            CREATE INDEX exchange_signals_record ON exchange_signals (exchange_id, record_key);
            CREATE INDEX exchange_signals_generation ON exchange_signals (exchange_id, generation);
            """),
    ];

    public static int Latest => All[^1].Version;
}
