namespace OrleansKb.Persistence.Postgres;

/// <summary>
/// The tables a <see cref="PostgresSpaceStore"/> keeps spaces in (docs/durability.md, "PostgreSQL"),
/// created on first use. Every name starts with <c>orleanskb_</c>, so the tables can share a database.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>The error a fenced statement raises when its activation's epoch is no longer the space's.</summary>
    public const string StaleEpochState = "OKB01";

    /// <summary>Creates what is missing; run under an advisory lock, since concurrent <c>CREATE … IF NOT EXISTS</c> can collide.</summary>
    public static readonly string[] Create =
    [
        "SELECT pg_advisory_xact_lock(hashtext('orleanskb_schema'))",
        """
        -- One row per space: the epoch of its current activation and the snapshot it recovers from.
        CREATE TABLE IF NOT EXISTS orleanskb_spaces (
            name text PRIMARY KEY,
            epoch bigint NOT NULL,
            snapshot_id bigint,
            snapshot_seq bigint NOT NULL DEFAULT 0,
            snapshot_atoms bigint NOT NULL DEFAULT 0)
        """,
        """
        -- A divided space's partition map (docs/cluster.md); null for a space never divided.
        ALTER TABLE orleanskb_spaces ADD COLUMN IF NOT EXISTS partitions bytea
        """,
        """
        -- The log after the snapshot: one row per change (a batch of encoded atoms), consecutive seq.
        CREATE TABLE IF NOT EXISTS orleanskb_log (
            space text NOT NULL,
            seq bigint NOT NULL,
            operation smallint NOT NULL,
            crc integer NOT NULL,
            atoms bytea NOT NULL,
            PRIMARY KEY (space, seq))
        """,
        """
        -- Batches are encoded already and compress little: stored out of line, uncompressed.
        ALTER TABLE orleanskb_log ALTER COLUMN atoms SET STORAGE EXTERNAL
        """,
        """
        -- Snapshots: the atoms in key order, then the rules in insertion order, in chunks.
        CREATE TABLE IF NOT EXISTS orleanskb_snapshots (
            id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            space text NOT NULL,
            seq bigint NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS orleanskb_snapshot_chunks (
            snapshot_id bigint NOT NULL REFERENCES orleanskb_snapshots (id) ON DELETE CASCADE,
            chunk integer NOT NULL,
            rules boolean NOT NULL,
            count integer NOT NULL,
            crc integer NOT NULL,
            bytes bytea NOT NULL,
            PRIMARY KEY (snapshot_id, chunk))
        """,
        """
        ALTER TABLE orleanskb_snapshot_chunks ALTER COLUMN bytes SET STORAGE EXTERNAL
        """,
        """
        -- Each silo's latest memory report (docs/cluster.md, "Placing a space where it fits").
        CREATE TABLE IF NOT EXISTS orleanskb_silo_memory (
            silo text PRIMARY KEY,
            budget bigint NOT NULL,
            high_water bigint NOT NULL,
            used bigint NOT NULL,
            at timestamptz NOT NULL)
        """,
        """
        -- Locks a space's row for the calling transaction if the epoch is still its own, and returns
        -- the space's snapshot sequence; otherwise refuses the whole transaction (OKB01).
        CREATE OR REPLACE FUNCTION orleanskb_fence(p_space text, p_epoch bigint) RETURNS bigint
        LANGUAGE plpgsql AS $$
        DECLARE
            current_epoch bigint;
            current_snapshot bigint;
        BEGIN
            SELECT epoch, snapshot_seq INTO current_epoch, current_snapshot
                FROM orleanskb_spaces WHERE name = p_space FOR UPDATE;
            IF current_epoch IS DISTINCT FROM p_epoch THEN
                RAISE EXCEPTION 'space ''%'' was opened again (epoch %); this activation (epoch %) may no longer write',
                    p_space, current_epoch, p_epoch USING ERRCODE = 'OKB01';
            END IF;
            RETURN current_snapshot;
        END $$
        """,
    ];

    /// <summary>A new epoch for a space (its row created if new): any transaction of an older epoch is fenced from now on.</summary>
    public const string Open = """
        INSERT INTO orleanskb_spaces (name, epoch) VALUES ($1, 1)
        ON CONFLICT (name) DO UPDATE SET epoch = orleanskb_spaces.epoch + 1
        RETURNING epoch, coalesce(snapshot_id, 0), snapshot_seq, snapshot_atoms, partitions
        """;

    /// <summary>Snapshots a crash left unpublished: never current, so never needed.</summary>
    public const string DropUnpublishedSnapshots = "DELETE FROM orleanskb_snapshots WHERE space = $1 AND id IS DISTINCT FROM nullif($2, 0)";

    public const string Fence = "SELECT orleanskb_fence($1, $2)";

    public const string WritePartitions = "UPDATE orleanskb_spaces SET partitions = $2 WHERE name = $1";

    public const string ReadSnapshot = "SELECT rules, count, crc, bytes FROM orleanskb_snapshot_chunks WHERE snapshot_id = $1 ORDER BY chunk";

    /// <summary>What recovering a space reads, by its name: its current snapshot and the log after it (0 for a space never opened).</summary>
    public const string RecoveryBytesOf = """
        SELECT coalesce((SELECT (SELECT coalesce(sum(octet_length(c.bytes)), 0) FROM orleanskb_snapshot_chunks c WHERE c.snapshot_id = s.snapshot_id)
            + (SELECT coalesce(sum(octet_length(l.atoms)), 0) FROM orleanskb_log l WHERE l.space = s.name AND l.seq > s.snapshot_seq)
            FROM orleanskb_spaces s WHERE s.name = $1), 0)
        """;

    /// <summary>A silo's report, stamped with the database's clock; reports of silos gone for a day are dropped.</summary>
    public static readonly string[] ReportSiloMemory =
    [
        """
        INSERT INTO orleanskb_silo_memory (silo, budget, high_water, used, at) VALUES ($1, $2, $3, $4, now())
        ON CONFLICT (silo) DO UPDATE SET budget = $2, high_water = $3, used = $4, at = now()
        """,
        "DELETE FROM orleanskb_silo_memory WHERE at < now() - interval '1 day'",
    ];

    public const string SiloMemoryReports = "SELECT silo, budget, high_water, used, at FROM orleanskb_silo_memory WHERE at >= now() - $1";

    public const string ReadLog = "SELECT seq, operation, crc, atoms FROM orleanskb_log WHERE space = $1 AND seq > $2 ORDER BY seq";

    public const string Append = "INSERT INTO orleanskb_log (space, seq, operation, crc, atoms) VALUES ($1, $2, $3, $4, $5)";

    /// <summary>A clear at $2: the state there is the empty space, an empty snapshot at $2, so nothing before it is kept.</summary>
    public static readonly string[] ClearBefore =
    [
        "DELETE FROM orleanskb_log WHERE space = $1 AND seq <= $2",
        "DELETE FROM orleanskb_snapshots WHERE space = $1",
        "UPDATE orleanskb_spaces SET snapshot_id = NULL, snapshot_seq = $2, snapshot_atoms = 0 WHERE name = $1",
    ];

    /// <summary>
    /// A deleted space: its log and snapshots go; its row stays, emptied, so that its epoch goes on
    /// counting and fences an older activation still writing.
    /// </summary>
    public static readonly string[] Delete =
    [
        "DELETE FROM orleanskb_log WHERE space = $1",
        "DELETE FROM orleanskb_snapshots WHERE space = $1",
        "UPDATE orleanskb_spaces SET snapshot_id = NULL, snapshot_seq = 0, snapshot_atoms = 0, partitions = NULL WHERE name = $1",
    ];

    public const string NewSnapshot = "INSERT INTO orleanskb_snapshots (space, seq) VALUES ($1, $2) RETURNING id";

    public const string WriteChunk = "INSERT INTO orleanskb_snapshot_chunks (snapshot_id, chunk, rules, count, crc, bytes) VALUES ($1, $2, $3, $4, $5, $6)";

    public const string PublishSnapshot = "UPDATE orleanskb_spaces SET snapshot_id = $2, snapshot_seq = $3, snapshot_atoms = $4 WHERE name = $1";

    public const string DropOtherSnapshots = "DELETE FROM orleanskb_snapshots WHERE space = $1 AND id <> $2";

    /// <summary>Drops the log a snapshot covers; returns the bytes dropped.</summary>
    public const string DropCoveredLog = """
        WITH dropped AS (DELETE FROM orleanskb_log WHERE space = $1 AND seq <= $2 RETURNING length(atoms) AS bytes)
        SELECT coalesce(sum(bytes), 0)::bigint FROM dropped
        """;
}
