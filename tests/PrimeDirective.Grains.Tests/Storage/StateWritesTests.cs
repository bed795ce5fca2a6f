using Orleans.Storage;
using PrimeDirective.Grains.Storage;

namespace PrimeDirective.Grains.Tests.Storage;

/// <summary>
/// The one way subject grains change state, alone: decide, persist, and on a conflict re-read and decide again (up to
/// three attempts); any other failure ends the activation's claim to its state and is rethrown.
/// </summary>
public sealed class StateWritesTests
{
    [Fact]
    public async Task A_decision_that_changes_nothing_writes_nothing()
    {
        var state = new ScriptedState();
        var unknown = 0;

        var result = await state.UpdateAsync(() => (false, "same"), () => unknown++);

        Assert.Equal("same", result);
        Assert.Equal((0, 0, 0), (state.Writes, state.Reads, unknown));
    }

    [Fact]
    public async Task A_conflict_re_reads_and_decides_again_from_the_fresh_state()
    {
        var state = new ScriptedState { Conflicts = 1, StoredByOthers = 41 };
        var decided = new List<int>();

        var result = await state.UpdateAsync(
            () =>
            {
                decided.Add(state.State.Value);
                state.State.Value++;
                return (true, state.State.Value);
            },
            () => Assert.Fail("a conflict is no unknown outcome"));

        Assert.Equal([0, 41], decided);
        Assert.Equal(42, result);
        Assert.Equal((1, 1, 42), (state.Reads, state.Writes, state.Stored));
    }

    [Fact]
    public async Task A_fresh_state_that_already_holds_the_change_ends_without_a_write()
    {
        var state = new ScriptedState { Conflicts = 1, StoredByOthers = 7 };

        var result = await state.UpdateAsync(() => state.State.Value == 7 ? (false, "already") : (true, "wrote"), () => { });

        Assert.Equal("already", result);
        Assert.Equal((1, 0), (state.Reads, state.Writes));
    }

    [Fact]
    public async Task Three_conflicts_in_a_row_give_up_rethrow_and_report_an_unknown_outcome_once()
    {
        var state = new ScriptedState { Conflicts = 3 };
        var unknown = 0;

        await Assert.ThrowsAsync<InconsistentStateException>(() => state.UpdateAsync(() => (true, 1), () => unknown++));

        Assert.Equal((2, 0, 1), (state.Reads, state.Writes, unknown));
    }

    [Fact]
    public async Task Any_other_failure_is_not_retried_and_reports_an_unknown_outcome()
    {
        var state = new ScriptedState { Failure = new TimeoutException() };
        var unknown = 0;

        await Assert.ThrowsAsync<TimeoutException>(() => state.UpdateAsync(() => (true, 1), () => unknown++));

        Assert.Equal((0, 0, 1), (state.Reads, state.Writes, unknown));
    }

    [Fact]
    public async Task A_delete_no_longer_wanted_after_a_conflict_deletes_nothing()
    {
        var state = new ScriptedState { Conflicts = 1, StoredByOthers = 5 };

        var deleted = await state.DeleteAsync(() => state.State.Value == 0, () => Assert.Fail("no unknown outcome"));

        Assert.False(deleted);
        Assert.Equal((1, 0, 5), (state.Reads, state.Clears, state.State.Value));
    }

    [Fact]
    public async Task A_delete_still_wanted_clears_and_starts_from_an_empty_state()
    {
        var state = new ScriptedState();
        state.State.Value = 9;

        var deleted = await state.DeleteAsync(() => true, () => { });

        Assert.True(deleted);
        Assert.Equal((1, 0), (state.Clears, state.State.Value));
    }

    public sealed class Counter
    {
        public int Value { get; set; }
    }

    /// <summary>A persistent state whose writes conflict a scripted number of times; a re-read brings what "others" stored.</summary>
    private sealed class ScriptedState : IPersistentState<Counter>
    {
        public int Conflicts { get; set; }

        public int StoredByOthers { get; set; }

        public Exception? Failure { get; set; }

        public int Reads { get; private set; }

        public int Writes { get; private set; }

        public int Clears { get; private set; }

        public int Stored { get; private set; }

        public Counter State { get; set; } = new();

        public string? Etag { get; set; }

        public bool RecordExists => Writes > 0;

        public Task ClearStateAsync()
        {
            if (Conflicts-- > 0)
            {
                throw new InconsistentStateException("scripted");
            }

            Clears++;
            return Task.CompletedTask;
        }

        public Task WriteStateAsync()
        {
            if (Failure is not null)
            {
                throw Failure;
            }

            if (Conflicts-- > 0)
            {
                throw new InconsistentStateException("scripted");
            }

            Writes++;
            Stored = State.Value;
            return Task.CompletedTask;
        }

        public Task ReadStateAsync()
        {
            Reads++;
            State = new Counter { Value = StoredByOthers };
            return Task.CompletedTask;
        }
    }
}
