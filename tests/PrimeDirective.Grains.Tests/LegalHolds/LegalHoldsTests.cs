using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Interfaces.Retention;
using PrimeDirective.Grains.Tests.ComponentFakes;

namespace PrimeDirective.Grains.Tests.LegalHolds;

/// <summary>Legal holds alone, on a person's account.</summary>
public sealed class LegalHoldsTests
{
    private readonly SiloParts _silo = new();

    private LegalHold Hold() => new("litigation", "case-42", _silo.Clock.GetUtcNow(), null, "officer-1");

    [Fact]
    public async Task A_hold_on_an_unknown_subject_is_refused_and_nothing_is_stored()
    {
        var parts = new UserParts(_silo);

        Assert.False(await parts.Holds.PlaceAsync(Hold()));
        Assert.False(parts.State.RecordExists);
        Assert.Equal(0, parts.State.Writes);
    }

    [Fact]
    public async Task A_running_hold_defers_each_erasure_once_however_often_it_asks()
    {
        var parts = new UserParts(_silo, UserParts.ActiveAccount(_silo));
        await parts.Holds.PlaceAsync(Hold());

        for (var i = 0; i < 5; i++)
        {
            Assert.NotNull(await parts.Holds.DeferAsync("request-1"));
        }

        var stored = parts.State.Stored;
        Assert.Equal(["request-1"], stored.WaitingErasures);
        Assert.Single(stored.Audit, entry => entry.Action == "erasure-deferred");
    }

    [Fact]
    public async Task Lifting_after_a_write_conflict_resumes_the_erasures_the_fresh_state_defers_too()
    {
        var parts = new UserParts(_silo, UserParts.ActiveAccount(_silo));
        await parts.Holds.PlaceAsync(Hold());
        var (first, second) = (SubjectIds.New("eu"), SubjectIds.New("eu"));
        await parts.Holds.DeferAsync(first);

        // Another activation deferred a second erasure meanwhile: lifting from the stale state would strand it.
        parts.State.ConflictOnNextWrite(theirs => theirs.WaitingErasures.Add(second));
        Assert.True(await parts.Holds.LiftAsync("officer-2"));

        var stored = parts.State.Stored;
        Assert.Null(stored.LegalHold);
        Assert.Empty(stored.WaitingErasures);
        var resumed = _silo.Grains.To(nameof(IPrivacyRequestGrain.ResumeAsync)).Select(call => call.Key).Order().ToList();
        Assert.Equal(new[] { UserKeys.ForRequest(first), UserKeys.ForRequest(second) }.Order(), resumed);
        Assert.Single(stored.Audit, entry => entry.Action == "legal-hold-lifted");
    }
}
