using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Requests;
using PrimeDirective.Grains.Tests.Storage;

namespace PrimeDirective.Grains.Tests.ReviewDeadline;

public sealed class ReviewDeadlineTests
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly ConflictingState<PrivacyRequestState> _state = new();
    private readonly RecordingMail _mail = new();
    private readonly RecordingReminder _reminder = new();
    private readonly RequestOptions _options = new() { OfficerMailbox = "officers@example.org" };
    private int _parentAnswers;

    private Grains.Requests.ReviewDeadline Deadline() => new(_state.Document(_clock), _options, _mail, _reminder, () =>
    {
        _parentAnswers++;
        return Task.CompletedTask;
    }, NullLogger.Instance);

    private async Task AwaitingReviewAsync()
    {
        _state.ChangeElsewhere(request =>
        {
            (request.RequestId, request.Kind, request.Status, request.SubmittedAt) = ("eu-r1", PrivacyRequestKinds.ChildRemoval, PrivacyRequestStatus.AwaitingReview, _clock.GetUtcNow());
            (request.ParentEmail, request.ParentName) = ("parent@example.org", "Pat");
        });
        await _state.ReadStateAsync();
    }

    [Fact]
    public async Task A_waiting_request_is_checked_daily_and_expires_after_its_lifetime()
    {
        await AwaitingReviewAsync();
        var deadline = Deadline();
        await deadline.ArmAsync();
        Assert.Equal((TimeSpan.FromDays(1), TimeSpan.FromDays(1)), _reminder.Registered);
        Assert.Equal(_clock.GetUtcNow() + TimeSpan.FromDays(90), deadline.ExpiresAt(_state.State));

        _clock.Advance(TimeSpan.FromDays(90));
        await deadline.CheckAsync();

        Assert.Equal(PrivacyRequestStatus.Expired, _state.Stored.Status);
        Assert.Equal(1, _parentAnswers);
        Assert.Null(_reminder.Registered);
        Assert.Null(deadline.ExpiresAt(_state.Stored));
    }

    [Fact]
    public async Task Officers_are_reminded_once_a_week_however_often_the_reminder_fires()
    {
        await AwaitingReviewAsync();
        var deadline = Deadline();
        _clock.Advance(TimeSpan.FromDays(7));
        for (var tick = 0; tick < 3; tick++)
        {
            await deadline.CheckAsync();
        }

        var reminder = Assert.Single(_mail.Handed);
        Assert.Equal("officers@example.org", reminder.To);
        Assert.DoesNotContain("parent@example.org", reminder.Body, StringComparison.Ordinal);
        Assert.Single(_state.Stored.Outgoing);
        Assert.Equal(_clock.GetUtcNow(), _state.Stored.LastReviewReminderAt);
        Assert.Equal(0, _parentAnswers);
    }

    [Fact]
    public async Task A_reminder_another_activation_sent_meanwhile_is_not_sent_again_after_the_conflict()
    {
        await AwaitingReviewAsync();
        var deadline = Deadline();
        _clock.Advance(TimeSpan.FromDays(7));
        _state.ConflictOnNextWrite(other => other.LastReviewReminderAt = _clock.GetUtcNow());

        await deadline.CheckAsync();

        Assert.Equal(1, _state.Conflicts);
        Assert.Empty(_mail.Handed);
        Assert.Empty(_state.Stored.Outgoing);
    }

    [Fact]
    public async Task A_request_decided_elsewhere_before_it_expires_is_not_expired_over_it()
    {
        await AwaitingReviewAsync();
        var deadline = Deadline();
        _clock.Advance(TimeSpan.FromDays(90));
        _state.ConflictOnNextWrite(other => (other.Status, other.Approved) = (PrivacyRequestStatus.Accepted, true));

        await deadline.CheckAsync();

        Assert.Equal(1, _state.Conflicts);
        Assert.Equal(PrivacyRequestStatus.Accepted, _state.Stored.Status);
        Assert.Null(_state.Stored.DecisionReason);
    }
}
