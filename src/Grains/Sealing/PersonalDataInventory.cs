namespace PrimeDirective.Grains.Sealing;

/// <summary>How a stored place protects what it holds.</summary>
public enum Protection
{
    /// <summary>Sealed per value under the owning subject's data key (<see cref="Sealer"/>, the store, column, subject and row as associated data).</summary>
    SealedPerValue,

    /// <summary>Inside a grain state, sealed whole under the grain's data key (<see cref="SealedGrainStorage"/>).</summary>
    SealedWhole,

    /// <summary>Holds nothing a person gave or is: ids that are random or HMAC pseudonyms, times, categories, counts, hashes.</summary>
    NotPersonal,

    /// <summary>Holds personal data in a readable form; <see cref="InventoryEntry.Why"/> says why, and what ends it.</summary>
    NotSealed,
}

/// <summary>Where a store lives.</summary>
public enum StoreKind
{
    /// <summary>A table of a region's database (<c>ConnectionStrings:PrimeDirective</c>, one per region).</summary>
    RegionTable,

    /// <summary>A table of the key store's database (<c>ConnectionStrings:KeyStore</c>).</summary>
    KeyStoreTable,

    /// <summary>A grain state kind (a row of <c>grain_state</c>, by its state name).</summary>
    GrainState,

    /// <summary>A directory on a silo's disk.</summary>
    Directory,
}

/// <summary>One place that holds (or could be mistaken to hold) personal data.</summary>
/// <param name="Kind">Where the store lives.</param>
/// <param name="Store">The table, state name or directory setting.</param>
/// <param name="Column">The column (<c>*</c>: every column of the store; for grain state and directories, the part named).</param>
/// <param name="Subject">Whose data it is (the key it is sealed under, if any).</param>
/// <param name="Category">What it is.</param>
/// <param name="Retention">How long it is kept.</param>
/// <param name="Erasure">The step that destroys it when its subject is erased.</param>
/// <param name="Protection">How it is protected at rest.</param>
/// <param name="Why">Why it is not sealed (for <see cref="Protection.NotPersonal"/> and <see cref="Protection.NotSealed"/>), or how it is.</param>
public sealed record InventoryEntry(
    StoreKind Kind, string Store, string Column, string Subject, string Category, string Retention, string Erasure, Protection Protection, string Why);

/// <summary>
/// The inventory of every table, column, grain state kind and directory that holds personal data, or that a reader
/// could take to: whose it is, what, how long, how erasure reaches it, and whether it is sealed (or why not).
/// <c>docs/keys.md</c> lists it; a test reads the live schema after a journey of canaries and fails on any column
/// that is not here, and on any canary readable in a column not listed as <see cref="Protection.NotSealed"/>.
/// </summary>
public static class PersonalDataInventory
{
    private const string Erase = "KeyShredder destroys the subject's data key first, then the rows are deleted";
    private const string Operational = "operational (Orleans clustering, reminders, migrations): names no person";

    /// <summary>Every entry.</summary>
    public static IReadOnlyList<InventoryEntry> Entries { get; } =
    [
        // Region database: Orleans and the schema's own bookkeeping.
        Region("orleansquery", "*", "none", "query catalogue", "fixed", "none", Protection.NotPersonal, Operational),
        Region("membership_version", "*", "none", "cluster membership", "while the deployment runs", "none", Protection.NotPersonal, Operational),
        Region("membership_member", "*", "none", "cluster membership (silo hosts)", "until defunct silos are cleaned up", "none", Protection.NotPersonal, Operational),
        Region("reminder", "*", "none", "reminders (grain ids: random or pseudonymous keys)", "until unregistered", "the subject's reminder is unregistered", Protection.NotPersonal, Operational),
        Region("schema_migration", "*", "none", "applied migrations", "fixed", "none", Protection.NotPersonal, Operational),
        Region("grain_state", "payload_binary", "the grain (its key)", "every subject's state (see the grain state kinds)", "per kind", Erase,
            Protection.SealedWhole, "sealed whole per subject by SealedGrainStorage; state written before sealing is sealed at its next write"),
        Region("grain_state", "*", "the grain", "grain ids (random or HMAC pseudonyms), versions, times", "with the state", "the row is deleted", Protection.NotPersonal,
            "keys are pseudonymous (UserKeys, ClusterKeys: HMACs under Privacy:PseudonymKey) or random"),
        Region("grain_state_tombstone", "*", "none", "hashes and last versions of deleted rows", "a day", "none", Protection.NotPersonal, "hashes of pseudonymous keys only"),
        Region("destruction_ledger", "*", "none", "counts of what was destroyed", "kept as proof", "none", Protection.NotPersonal, "names no subject"),
        Region("key_fences", "*", "none", "destroyed keys' ids and fingerprints", "kept as proof", "none", Protection.NotPersonal, "names no subject or pseudonym"),
        Region("report", "items", "the cluster", "report items: categories, sources, expiries, metrics, software version; crash reports' text", "per category (RetentionOptions)", Erase,
            Protection.SealedPerValue, "a crash report's message and stack are sealed per value under the cluster's key (ClusterCrashReports.ContextFor); the rest is numbers, categories and the validated software version"),
        Region("report", "ip_address", "the cluster", "IP address", "RetentionOptions.IpAddress", Erase, Protection.SealedPerValue,
            "sealed per value under HKDF(cluster key, epoch key of its expiry day) (ReportAddressSealing); the epoch sweep destroys the epoch key after that day, a legal hold re-seals under a hold key first"),
        Region("report", "*", "the cluster", "subject key (pseudonym), report id, times", "per category", Erase, Protection.NotPersonal, "pseudonymous key, random ids, times"),
        Region("subject_registry", "*", "the subject", "which subjects exist (pseudonymous keys)", "until erasure", "the row is deleted", Protection.NotPersonal, "pseudonymous keys only"),
        Region("analytics_event", "page", "none", "the page path a visitor sent", "RetentionOptions (30 days)", "none: no subject", Protection.NotSealed,
            "not sealed: anonymous (no identifier, no subject whose key could seal it); a path that may identify (an '@', a segment too long) is refused; deleted after 30 days"),
        Region("analytics_event", "*", "none", "anonymous page views (path, campaign, conversion)", "RetentionOptions (30 days)", "none: no subject",
            Protection.NotPersonal, "anonymous: no identifier is stored and a page path that may identify is refused"),
        Region("legal_hold", "*", "the cluster", "which clusters are under a legal hold (pseudonymous key, hold id, times)", "while the hold is in force", "the row is deleted when the hold is lifted", Protection.NotPersonal,
            "pseudonymous key, random hold id, times: the reason, reference and officer stay in the cluster's sealed state"),
        Region("legal_hold_backfill", "*", "none", "which regions' holds were copied into legal_hold", "fixed", "none", Protection.NotPersonal, Operational),
        Region("transparency_event", "*", "none", "counts for the transparency report (half-year, measure, kind, days)", "kept", "none", Protection.NotPersonal,
            "counts only: the event id is a hash of a grain key and what was counted"),
        Region("aggregate_count", "*", "none", "aggregate counts", "kept", "none", Protection.NotPersonal, "counts only"),
        Region("stats_release", "*", "none", "released statistics", "kept", "none", Protection.NotPersonal, "differentially private counts"),
        Region("stats_release_budget", "*", "none", "privacy budget", "kept", "none", Protection.NotPersonal, "numbers only"),
        Region("stats_release_row", "*", "none", "released statistics", "kept", "none", Protection.NotPersonal, "differentially private counts"),
        Region("stats_release_floor", "*", "none", "first release day", "kept", "none", Protection.NotPersonal, "a date"),
        Region("disclosure_evidence", "*", "the subject (pseudonymous key)", "hash chain heads of the disclosure ledger", "kept as evidence", "the subject's rows are deleted",
            Protection.NotPersonal, "hashes and ids; the entries themselves are inside the subject's sealed state"),
        Region("notice_failure", "*", "the recipient (pseudonymous key)", "why a notice could not be delivered (kind, reason code)", "with the campaign", "the recipient's rows are deleted",
            Protection.NotPersonal, "pseudonymous keys and reason codes"),
        Region("outbox_mark", "*", "the owner (pseudonymous key)", "when an owner's undelivered messages are due again, and since when it has had any", "until delivered", "the mark is removed",
            Protection.NotPersonal, "pseudonymous keys and times"),
        Region("open_work", "*", "the owner (pseudonymous grain id of a request)", "work a request keeps open in its sealed state, for the gauges: erasure notices owed to processors, OpenDSR requests not yet completed (state, since, due time)",
            "while the work is open", "the row is removed when the work closes", Protection.NotPersonal, "pseudonymous grain ids, states and times"),
        Region("person_notice", "body", "the person (pseudonymous key)", "a breach or policy notice's title and text", "until erasure", Erase, Protection.SealedPerValue,
            "sealed per value under the person's data key (PersonNoticeLog.BodyContext)"),
        Region("person_notice", "email", "the person (pseudonymous key)", "the notice's email (address, name, subject, body)", "until delivered or dropped", Erase, Protection.SealedPerValue,
            "sealed per value under the person's data key (PersonNoticeLog.EmailContext); set to null once the email is handled"),
        Region("person_notice", "*", "the person (pseudonymous key)", "which campaigns reached a person, when, through which key, the email's state", "until erasure", "the person's rows are deleted",
            Protection.NotPersonal, "pseudonymous keys, campaign ids, kinds, times"),
        Region("data_protection_key", "*", "none", "the gateway's data protection keys", "rotated by ASP.NET Core", "none", Protection.NotPersonal, "key material, no person"),

        // Key store database.
        KeyStore("data_keys", "*", "the subject", "wrapped data keys, by subject (grain key)", "until erasure", "KeyShredder deletes the row", Protection.NotPersonal,
            "wrapped by the KEK; the subject is a pseudonymous or random grain key"),
        KeyStore("key_store_migration", "*", "none", "applied migrations", "fixed", "none", Protection.NotPersonal, Operational),
        KeyStore("kek_versions", "*", "none", "KEK versions: when each became active, stopped and was destroyed", "fixed", "none", Protection.NotPersonal, Operational),
        KeyStore("pseudonym_key_check", "*", "none", "the pseudonym of a fixed public name, to refuse another pseudonym key", "fixed", "none", Protection.NotPersonal, Operational),

        // Grain state kinds (rows of grain_state.payload_binary, sealed whole).
        State("user", "a person", "profile (name, email, birth date), consents, links, third-party records, notifications, queued messages, legal-request references"),
        State("officer-factor", "an officer's second factor (key: the officer's account key)", "TOTP secret, recovery codes (salted hashes), last accepted step; deleted with the account"),
        State("email", "an email index entry (key: HMAC of the address)", "the account it names, pending codes (hashed), queued messages"),
        State("cluster", "a Flynn cluster", "ids, consents, links, audit; report rows are in the report table"),
        State("request", "a privacy request (its own key)", "the requester's details, a child-removal request's parent name and email, processor notices, queued messages"),
        State("package", "a disclosure package (its own key: outlives its subject)", "the disclosed copy of the subject's data"),
        State("legal-request", "a legal request (its own key: outlives its subject)", "the request, its subject reference (user id), decision, gag"),
        State("web-session", "a Privacy Center session", "the signed-in user id"),
        State("notice", "a notice campaign", "breach or policy notice text, recipients' progress"),
        State("fanout", "a region's notice fan-out", "progress over pseudonymous keys"),
        State("breaches", "the breach register", "breach descriptions"),
        State("policy", "the policy registry", "policy versions"),
        State("proposals", "the proposal book", "governance proposals, officers' ids"),
        State("processors", "the processor registry", "processors and their endpoints"),
        State("reviews", "the review queue", "request ids awaiting review"),
        State("opendsr-controllers", "the OpenDSR controller registry", "controllers and endpoints"),
        State("opendsr-in", "an inbound OpenDSR request", "the request and its subject identity"),

        // Per value inside sealed state: the copies erasure must reach even though the state around them is sealed.
        new(StoreKind.GrainState, "user, email, request", "Outgoing[].Sealed", "the owner (its grain key)", "queued outbox messages (address, name, subject, body, codes)", "until delivered or dropped", Erase,
            Protection.SealedPerValue, "sealed per value under the owner's data key (MessageSeal.ContextFor), inside the owner's sealed state"),

        // Directories.
        new(StoreKind.Directory, "Outbox:Directory", "*.eml", "the owner (file tag: hash of its pseudonymous key)", "delivered mail (address, name, subject, body)", "Outbox:FileLifetime",
            "deleted at the owner's erasure (FileOutbox.DestroyCopiesAsync); an email change hands the old address's files to the account (FileOutbox.AdoptCopiesAsync)", Protection.NotSealed,
            "not sealed: the file outbox is the mail pickup's delivery, read as mail; deleted at the owner's erasure and after Outbox:FileLifetime"),
    ];

    /// <summary>The entries of a table of a database (<paramref name="kind"/>): <c>null</c> if the table is not in the inventory.</summary>
    public static IReadOnlyList<InventoryEntry>? Table(StoreKind kind, string table)
    {
        var entries = Entries.Where(entry => entry.Kind == kind && string.Equals(entry.Store, table, StringComparison.Ordinal)).ToList();
        return entries.Count == 0 ? null : entries;
    }

    /// <summary>The entry that covers <paramref name="column"/> of <paramref name="table"/>: its own, else the table's <c>*</c>; <c>null</c> if none.</summary>
    public static InventoryEntry? Column(StoreKind kind, string table, string column) =>
        Table(kind, table) is { } entries
            ? entries.FirstOrDefault(entry => string.Equals(entry.Column, column, StringComparison.Ordinal)) ?? entries.FirstOrDefault(entry => entry.Column == "*")
            : null;

    private static InventoryEntry Region(string table, string column, string subject, string category, string retention, string erasure, Protection protection, string why) =>
        new(StoreKind.RegionTable, table, column, subject, category, retention, erasure, protection, why);

    private static InventoryEntry KeyStore(string table, string column, string subject, string category, string retention, string erasure, Protection protection, string why) =>
        new(StoreKind.KeyStoreTable, table, column, subject, category, retention, erasure, protection, why);

    private static InventoryEntry State(string name, string subject, string holds) =>
        new(StoreKind.GrainState, name, "payload", subject, holds, "per the subject's retention", Erase, Protection.SealedWhole, "sealed whole under the grain's data key (SealedGrainStorage)");
}
