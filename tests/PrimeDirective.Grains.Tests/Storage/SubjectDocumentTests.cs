using Microsoft.Extensions.Time.Testing;
using PrimeDirective.Grains.Clusters;
using PrimeDirective.Grains.Interfaces.Users;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Tests.Storage;

public sealed class SubjectDocumentTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));

    [Fact]
    public async Task A_bounded_state_is_bounded_before_each_write_and_an_unchanged_decision_writes_nothing()
    {
        var state = new ConflictingState<ClusterState>();
        var document = state.Document(_clock);
        for (var entry = 0; entry < 500; entry++)
        {
            await document.UpdateAsync(now =>
            {
                document.State.Audit.Add(new AuditEntry(now, "destroyed", "1 usage item(s): expiry"));
                return (true, true);
            });
        }

        Assert.True(state.Stored.Audit.Count < 500, "the audit trail is folded, not grown");
        var writes = state.Writes;
        Assert.False(await document.UpdateAsync(_ => (false, false)));
        Assert.Equal(writes, state.Writes);
    }

    [Fact]
    public async Task A_conflict_is_decided_again_on_the_stored_state_and_only_then_written()
    {
        var state = new ConflictingState<ClusterState>();
        var unknown = 0;
        var document = new SubjectDocument<ClusterState>(state, _clock, () => unknown++);
        state.ConflictOnNextWrite(other => other.CrashReportsThatDay = 7);

        var seen = await document.UpdateAsync(_ => (true, document.State.CrashReportsThatDay++));

        Assert.Equal(7, seen);
        Assert.Equal(8, state.Stored.CrashReportsThatDay);
        Assert.Equal(1, state.Conflicts);
        Assert.Equal(0, unknown);
    }
}
