using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using PrimeDirective.Grains.Interfaces.OpenDsr;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Interfaces.Sharing;
using PrimeDirective.Grains.Interfaces.Regions;
using PrimeDirective.Grains.OpenDsr;
using PrimeDirective.Grains.Requests;
using PrimeDirective.Grains.Sharing;
using PrimeDirective.Grains.Storage;
using PrimeDirective.Grains.Tests.ReviewDeadline;
using PrimeDirective.Grains.Tests.Storage;

namespace PrimeDirective.Grains.Tests.ProcessorPropagation;

public sealed class ProcessorPropagationTests : IDisposable
{
    private readonly FakeTimeProvider _clock = new(new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero));
    private readonly ConflictingState<PrivacyRequestState> _state = new();
    private readonly RecordingReminder _reminder = new();
    private readonly InMemoryOpenWork _openWork = new();
    private readonly SharingHttp _http;
    private readonly Grains.Requests.ProcessorPropagation _propagation;
    private int _attemptsStarted;

    public ProcessorPropagationTests()
    {
        var sharing = Options.Create(new SharingOptions());
        _http = new SharingHttp(sharing);
        var openDsr = new OpenDsrOptions { PublicBaseUrl = "https://controller.example.org" };
        var channel = new ProcessorChannel(
            null!, _http, Options.Create(new RegionOptions()), sharing, _clock, new OpenDsrOutbound(_http, new OpenDsrKeyRing(openDsr), Options.Create(openDsr), _clock));
        _propagation = new(_state.Document(_clock), channel, _reminder, () => _attemptsStarted++, NullLogger.Instance,
            new OpenWorkSlot(_openWork, "eu", PropagationMetrics.Kind, GrainId.Create("privacyrequest", "eu/r1")));
        _state.ChangeElsewhere(request => (request.RequestId, request.Status, request.SubmittedAt) = ("eu-r1", PrivacyRequestStatus.InProgress, _clock.GetUtcNow()));
        _state.ReadStateAsync().GetAwaiter().GetResult();
    }

    public void Dispose() => _http.Dispose();

    [Fact]
    public async Task Each_subject_is_captured_once_with_an_OpenDSR_erasure_request_per_processor()
    {
        var subject = new Subject(["processor-a", "processor-b"]);
        await _propagation.CaptureAsync("eu/person", subject);
        await _propagation.CaptureAsync("eu/person", subject);

        var notices = _state.Stored.ProcessorNotices;
        Assert.Equal(["processor-a", "processor-b"], notices.Select(notice => notice.ProcessorId));
        Assert.Equal(1, subject.Asked);
        Assert.Equal(1, _attemptsStarted);
        Assert.NotNull(_reminder.Registered);
        var body = JsonNode.Parse(notices[0].Body!)!;
        Assert.Equal("erasure", (string?)body["subject_request_type"]);
        Assert.Equal(notices[0].SubjectRequestId, (string?)body["subject_request_id"]);
        Assert.NotEqual(notices[0].SubjectRequestId, notices[1].SubjectRequestId);
        Assert.Equal("https://controller.example.org" + OpenDsrNames.CallbackPath("eu-r1"), (string?)body["status_callback_urls"]![0]);
        Assert.Equal("person@example.org", (string?)body["subject_identities"]![0]!["identity_value"]);
        Assert.Equal("pending", _propagation.View(View()).Propagated);

        // The gauge's mirror counts the erasure once (not per processor), open since the capture.
        var open = Assert.Single(await OpenWorkAsync());
        Assert.Equal(("pending", 1L, _clock.GetUtcNow()), (open.State, open.Open, open.OldestSince));
    }

    [Fact]
    public async Task A_capture_that_conflicts_with_the_same_capture_made_elsewhere_adds_no_second_notice()
    {
        var subject = new Subject(["processor-a"]);
        _state.ConflictOnNextWrite(other =>
        {
            other.ProcessorNotices.Add(new ProcessorNotice { ProcessorId = "processor-a", SubjectKey = "eu/person", Body = "{}", CapturedAt = _clock.GetUtcNow() });
            other.PropagationCapturedFor.Add("eu/person");
        });

        await _propagation.CaptureAsync("eu/person", subject);

        Assert.Equal(1, _state.Conflicts);
        Assert.Single(_state.Stored.ProcessorNotices);
        Assert.Equal(["eu/person"], _state.Stored.PropagationCapturedFor);
    }

    [Fact]
    public async Task A_notice_unanswered_for_its_lifetime_is_abandoned_its_identities_destroyed_and_the_reminder_stopped()
    {
        await _propagation.CaptureAsync("eu/person", new Subject(["processor-a"]));
        _clock.Advance(new SharingOptions().PropagationLifetime);

        await _propagation.PropagateAsync();

        var notice = Assert.Single(_state.Stored.ProcessorNotices);
        Assert.Null(notice.Body);
        Assert.Equal(_clock.GetUtcNow(), notice.AbandonedAt);
        Assert.Null(_reminder.Registered);
        var view = _propagation.View(View());
        Assert.Equal("abandoned", view.Propagated);
        Assert.Equal("abandoned", Assert.Single(view.Processors!.Value).Status);
        Assert.Empty(await OpenWorkAsync());
    }

    [Fact]
    public async Task The_open_work_mirror_stays_while_a_notice_is_unanswered_and_a_lost_row_is_mended_on_the_next_attempt()
    {
        var capturedAt = _clock.GetUtcNow();
        await _propagation.CaptureAsync("eu/person", new Subject(["processor-a"]));
        await _openWork.CloseAsync("eu", PropagationMetrics.Kind, GrainId.Create("privacyrequest", "eu/r1"));

        // A tick before the notice's next attempt is due: nothing is sent, the notice stays open, and the row is written again.
        _state.State.ProcessorNotices[0].NextAttemptAt = _clock.GetUtcNow().AddHours(1);
        await _propagation.PropagateAsync();

        Assert.Null(Assert.Single(_state.Stored.ProcessorNotices).AcknowledgedAt);
        var open = Assert.Single(await OpenWorkAsync());
        Assert.Equal((1L, capturedAt), (open.Open, open.OldestSince));
        Assert.NotNull(_reminder.Registered);
    }

    [Fact]
    public async Task A_subject_that_disclosed_to_nobody_owes_no_notice_and_arms_nothing()
    {
        await _propagation.CaptureAsync("eu/person", new Subject([]));

        Assert.Empty(_state.Stored.ProcessorNotices);
        Assert.Equal(["eu/person"], _state.Stored.PropagationCapturedFor);
        Assert.Null(_reminder.Registered);
        Assert.Equal(0, _attemptsStarted);
        Assert.Null(_propagation.View(View()).Propagated);
        Assert.Empty(await OpenWorkAsync());
    }

    private Task<IReadOnlyList<OpenWorkCount>> OpenWorkAsync() => _openWork.CountAsync("eu", PropagationMetrics.Kind, _clock.GetUtcNow());

    private PrivacyRequestView View() => new("eu-r1", PrivacyRequestKinds.Erasure, PrivacyRequestStatus.InProgress, _clock.GetUtcNow(), null, []);

    /// <summary>A subject that disclosed to <paramref name="processors"/>, identified by an email address.</summary>
    private sealed class Subject(ImmutableArray<string> processors) : IDisclosureSubject
    {
        public int Asked { get; private set; }

        public Task<ErasureRecipients?> ErasureRecipientsAsync()
        {
            Asked++;
            return Task.FromResult<ErasureRecipients?>(new ErasureRecipients(processors, [new SubjectIdentity("email", "person@example.org")]));
        }

        public Task<DisclosureOutcome?> DiscloseAsync(DisclosureOrder order) => throw new NotSupportedException();

        public Task<DisclosureEntry?> RecordConsentedReleaseAsync(DisclosureOrder order) => throw new NotSupportedException();

        public Task<ImmutableArray<DisclosureEntry>?> GetDisclosuresAsync() => throw new NotSupportedException();

        public Task<ChainVerification?> VerifyDisclosuresAsync() => throw new NotSupportedException();

        public Task<ImmutableArray<SubjectPackage>> DisclosurePackagesAsync() => throw new NotSupportedException();

        public Task<bool> StillDisclosableAsync() => throw new NotSupportedException();
    }
}
