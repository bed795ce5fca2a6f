using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Users;

namespace PrimeDirective.Grains.Requests;

/// <summary>Child-removal requests: a parent's request waits for an officer; approval erases the child's account, and the parent is answered either way.</summary>
public sealed partial class PrivacyRequestGrain
{
    public async Task<PrivacyRequestView> SubmitChildRemovalAsync(ChildRemovalSubmission submission)
    {
        ArgumentNullException.ThrowIfNull(submission);
        var requestId = RequestId();
        var received = outbox.Prepare(Messages.ChildRemovalReceived(submission.ParentEmail, submission.ParentName, requestId), time.GetUtcNow() + outbox.NoticeLifetime);
        if (state.State.RequestId is null)
        {
            await ArmOutboxAsync();
        }

        var accepted = await AcceptOnceAsync(
            PrivacyRequestKinds.ChildRemoval, PrivacyRequestStatus.AwaitingReview, "child-removal", submission.CapabilityHash, current =>
            {
                current.ChildEmailIndexKey = submission.ChildEmailIndexKey;
                current.ParentName = submission.ParentName;
                current.ParentEmail = submission.ParentEmail;
                current.Statement = submission.Statement;
                OutgoingMessages.Add(current.Outgoing, received);
            });
        if (accepted)
        {
            outbox.Hand(this.GetGrainId(), [received]);
            await GrainFactory.GetGrain<IReviewQueueGrain>(UserKeys.ForReviews(Region)).AddAsync(requestId);
            await ArmReviewAsync();
        }

        return View();
    }

    public Task<ChildRemovalReview?> ReviewAsync()
    {
        var current = state.State;
        return Task.FromResult(current.RequestId is null || current.Kind != PrivacyRequestKinds.ChildRemoval
            ? null
            : new ChildRemovalReview(View(), current.ParentName, current.ParentEmail, current.Statement));
    }

    public async Task<PrivacyRequestView?> DecideAsync(bool approve, string officerId, string? reason)
    {
        if (state.State is not { Kind: PrivacyRequestKinds.ChildRemoval, Status: PrivacyRequestStatus.AwaitingReview, RequestId: not null })
        {
            return null;
        }

        await UpdateAsync(now =>
        {
            var current = state.State;
            current.Approved = approve;
            current.DecidedBy = officerId;
            current.DecisionReason = reason;
            current.Status = approve ? PrivacyRequestStatus.Accepted : PrivacyRequestStatus.Rejected;
            current.CompletedAt = approve ? null : now;
            return (true, true);
        });
        LogDecided(logger, state.State.RequestId!, approve);
        if (approve)
        {
            await StartAsync();
        }
        else
        {
            await AnswerParentAsync();
        }

        return View();
    }

    /// <summary>
    /// Tells a parent the decision and forgets the parent in one write: their name, address and statement were only for
    /// this, and from then on they live only sealed inside the answer until it is delivered.
    /// </summary>
    private async Task AnswerParentAsync()
    {
        var current = state.State;
        if (current.Kind != PrivacyRequestKinds.ChildRemoval || current.ParentAnswered || current.ParentEmail is null)
        {
            return;
        }

        var answer = outbox.Prepare(
            current.Status == PrivacyRequestStatus.Expired
                ? Messages.ChildRemovalExpired(current.ParentEmail, current.ParentName ?? string.Empty, current.RequestId!)
                : Messages.ChildRemovalDecided(current.ParentEmail, current.ParentName ?? string.Empty, current.RequestId!, current.Approved == true, current.DecisionReason),
            time.GetUtcNow() + outbox.NoticeLifetime);
        await ArmOutboxAsync();
        var queued = await UpdateAsync(_ =>
        {
            var answered = state.State;
            if (answered.ParentAnswered)
            {
                return (false, false);
            }

            answered.ParentAnswered = true;
            answered.ParentName = null;
            answered.ParentEmail = null;
            answered.Statement = null;
            OutgoingMessages.Add(answered.Outgoing, answer);
            return (true, true);
        });
        if (queued)
        {
            outbox.Hand(this.GetGrainId(), [answer]);
        }

        await GrainFactory.GetGrain<IReviewQueueGrain>(UserKeys.ForReviews(Region)).RemoveAsync(current.RequestId!);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Privacy request {RequestId} decided: approved={Approved}")]
    private static partial void LogDecided(ILogger logger, string requestId, bool approved);
}
