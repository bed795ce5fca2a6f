using Microsoft.Extensions.Logging;
using PrimeDirective.Grains.Interfaces.Keys;
using PrimeDirective.Grains.Interfaces.Requests;
using PrimeDirective.Grains.Outbox;
using PrimeDirective.Grains.Storage;
using PrimeDirective.Grains.Users;

namespace PrimeDirective.Grains.Requests;

/// <summary>
/// Child-removal requests: a parent's request waits for an officer; approval erases the child's account, and the parent
/// is answered either way. Owns the parent's details (<see cref="PrivacyRequestState.ParentName"/>,
/// <see cref="PrivacyRequestState.ParentEmail"/>, <see cref="PrivacyRequestState.Statement"/>) and the decision; the
/// parent's details go in the same write that queues the answer to them.
/// </summary>
/// <param name="document">The request's state.</param>
/// <param name="mail">The request's outbox: the silo's sender, and the reminder armed before a message is queued.</param>
/// <param name="review">The review deadline, armed once the request waits.</param>
/// <param name="grains">Where the region's review queue is.</param>
/// <param name="region">The request's region.</param>
/// <param name="logger">The grain's logger.</param>
public sealed partial class ChildRemoval(
    SubjectDocument<PrivacyRequestState> document, IRequestMail mail, ReviewDeadline review, IGrainFactory grains, string region, ILogger logger)
{
    /// <summary>
    /// Persists a new request through <paramref name="accept"/> (which keeps the parent's details and their receipt in its
    /// one write; a repeat changes nothing), then tells the parent it arrived, queues it for officers and arms its deadline.
    /// </summary>
    public async Task SubmitAsync(ChildRemovalSubmission submission, string requestId, Func<Action<PrivacyRequestState>, Task<bool>> accept)
    {
        ArgumentNullException.ThrowIfNull(submission);
        ArgumentNullException.ThrowIfNull(accept);
        var received = await mail.PrepareAsync(Messages.ChildRemovalReceived(submission.ParentEmail, submission.ParentName, requestId));
        if (document.State.RequestId is null)
        {
            await mail.ArmAsync();
        }

        var accepted = await accept(current =>
        {
            current.ChildEmailIndexKey = submission.ChildEmailIndexKey;
            current.ParentName = submission.ParentName;
            current.ParentEmail = submission.ParentEmail;
            current.Statement = submission.Statement;
            OutgoingMessages.Add(current.Outgoing, received);
        });
        if (accepted)
        {
            mail.Hand(received);
            await ReviewQueue().AddAsync(requestId);
            await review.ArmAsync();
        }
    }

    /// <summary>The request as an officer reviews it; <c>null</c> for any other kind of request.</summary>
    public ChildRemovalReview? Review(PrivacyRequestView view)
    {
        var current = document.State;
        return current.RequestId is null || current.Kind != PrivacyRequestKinds.ChildRemoval
            ? null
            : new ChildRemovalReview(view, current.ParentName, current.ParentEmail, current.Statement);
    }

    /// <summary>
    /// An officer's decision on a request awaiting review: approved, <paramref name="start"/> runs the erasure; rejected, the
    /// parent is answered now. <c>false</c> if the request is not awaiting review.
    /// </summary>
    public async Task<bool> DecideAsync(bool approve, string officerId, string? reason, Func<Task> start)
    {
        ArgumentNullException.ThrowIfNull(start);
        if (document.State is not { Kind: PrivacyRequestKinds.ChildRemoval, Status: PrivacyRequestStatus.AwaitingReview, RequestId: not null })
        {
            return false;
        }

        await document.UpdateAsync(now =>
        {
            var current = document.State;
            current.Approved = approve;
            current.DecidedBy = officerId;
            current.DecisionReason = reason;
            current.Status = approve ? PrivacyRequestStatus.Accepted : PrivacyRequestStatus.Rejected;
            current.CompletedAt = approve ? null : now;
            return (true, true);
        });
        LogDecided(logger, document.State.RequestId!, approve);
        await (approve ? start() : AnswerParentAsync());
        return true;
    }

    /// <summary>
    /// Tells a parent the decision and forgets the parent in one write: their name, address and statement were only for
    /// this, and from then on they live only sealed inside the answer until it is delivered.
    /// </summary>
    public async Task AnswerParentAsync()
    {
        var current = document.State;
        if (current.Kind != PrivacyRequestKinds.ChildRemoval || current.ParentAnswered || current.ParentEmail is null)
        {
            return;
        }

        var answer = await mail.PrepareAsync(current.Status == PrivacyRequestStatus.Expired
            ? Messages.ChildRemovalExpired(current.ParentEmail, current.ParentName ?? string.Empty, current.RequestId!)
            : Messages.ChildRemovalDecided(current.ParentEmail, current.ParentName ?? string.Empty, current.RequestId!, current.Approved == true, current.DecisionReason));
        await mail.ArmAsync();
        var queued = await document.UpdateAsync(_ =>
        {
            var answered = document.State;
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
            mail.Hand(answer);
        }

        await ReviewQueue().RemoveAsync(current.RequestId!);
    }

    private IReviewQueueGrain ReviewQueue() => grains.GetGrain<IReviewQueueGrain>(UserKeys.ForReviews(region));

    [LoggerMessage(Level = LogLevel.Information, Message = "Privacy request {RequestId} decided: approved={Approved}")]
    private static partial void LogDecided(ILogger logger, string requestId, bool approved);
}
