using System.Collections.Immutable;
using System.Text.Json;
using PrimeDirective.Grains.Interfaces.Privacy;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Users;

/// <summary>One record a named source told us, as the account's state keeps it.</summary>
/// <param name="RecordId">Its id within the account.</param>
/// <param name="Source">Who told us.</param>
/// <param name="Kind">What it is.</param>
/// <param name="Value">What we were told (or the person's correction of it).</param>
/// <param name="ToldAt">When we were told.</param>
/// <param name="CorrectedAt">When the person last corrected it.</param>
public sealed record ThirdPartyRecordState(
    string RecordId, string Source, string Kind, [property: PersonalData] string Value, DateTimeOffset ToldAt, DateTimeOffset? CorrectedAt);

/// <summary>
/// The "told by someone else" collection path: records from named sources, shown in access with source
/// <c>third-party</c>, correctable and erasable by the person, kept while the account lives and erased with it.
/// </summary>
public sealed class ThirdPartyRecords(IPersistentState<UserState> state, TimeProvider time, ISubjectHost host)
{
    /// <summary>Records an account holds at most: the state document stays bounded.</summary>
    public const int Limit = 100;

    private static readonly JsonSerializerOptions s_recordJson = new(JsonSerializerDefaults.Web);

    /// <summary>Keeps the record; its id, or <c>null</c> if the account is not active or already holds <see cref="Limit"/>.</summary>
    public async Task<string?> AddAsync(ThirdPartyRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (!state.State.IsActive)
        {
            return null;
        }

        var recordId = Guid.NewGuid().ToString("N");
        return await state.UpdateAsync(time, now =>
        {
            var current = state.State;
            if (current.ThirdPartyRecords.Count >= Limit)
            {
                return (false, (string?)null);
            }

            current.ThirdPartyRecords.Add(new ThirdPartyRecordState(recordId, record.Source, record.Kind, record.Value, now, null));
            current.Audit.Add(new AuditEntry(now, "third-party-record-added", $"told by {record.Source}: {record.Kind}"));
            return (true, recordId);
        }, host.DeactivateOnIdle);
    }

    /// <summary>The person's correction of a record; <c>false</c> if there is no such record.</summary>
    public Task<bool> CorrectAsync(string recordId, string value) =>
        ChangeAsync(recordId, (records, index, now) =>
        {
            records[index] = records[index] with { Value = value, CorrectedAt = now };
            return "third-party-record-corrected";
        });

    /// <summary>The person's erasure of a record; <c>false</c> if there is no such record.</summary>
    public Task<bool> RemoveAsync(string recordId) =>
        ChangeAsync(recordId, (records, index, _) =>
        {
            records.RemoveAt(index);
            return "third-party-record-erased";
        });

    private async Task<bool> ChangeAsync(string recordId, Func<List<ThirdPartyRecordState>, int, DateTimeOffset, string> change)
    {
        if (!state.State.IsActive)
        {
            return false;
        }

        return await state.UpdateAsync(time, now =>
        {
            var current = state.State;
            var index = current.ThirdPartyRecords.FindIndex(record => record.RecordId == recordId);
            if (index < 0)
            {
                return (false, false);
            }

            var source = current.ThirdPartyRecords[index].Source;
            current.Audit.Add(new AuditEntry(now, change(current.ThirdPartyRecords, index, now), $"person's request; told by {source}"));
            return (true, true);
        }, host.DeactivateOnIdle);
    }

    /// <summary>The records as held items: source third-party, the source's name beside the value.</summary>
    public static IEnumerable<HeldItem> Items(UserState current)
    {
        ArgumentNullException.ThrowIfNull(current);
        return current.ThirdPartyRecords.Select(record => new HeldItem(
            $"third-party-record:{record.RecordId}",
            null,
            DataCategory.ThirdPartyRecord,
            DataSource.ThirdParty,
            DataPurpose.ServiceProvision,
            record.ToldAt,
            null,
            true,
            JsonSerializer.Serialize(new ThirdPartyText(record.RecordId, record.Source, record.Kind, record.Value, record.CorrectedAt), s_recordJson),
            ImmutableDictionary<string, double>.Empty));
    }

    /// <summary>How a record is shown: its id (to correct or erase it), source, kind, value and correction time.</summary>
    private sealed record ThirdPartyText(string RecordId, string Source, string Kind, string Value, DateTimeOffset? CorrectedAt);
}
