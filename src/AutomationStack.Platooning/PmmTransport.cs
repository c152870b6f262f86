using AutomationStack.Platooning.Protocol;

namespace AutomationStack.Platooning;

/// <summary>An addressed PMM awaiting its Ack.</summary>
internal sealed record PendingPmm(uint Destination, uint TransactionId, PmmBody Body)
{
    public long LastSentMs { get; set; }

    public int Retries { get; set; }
}

/// <summary>
/// Reliable PMM exchange: every PMM except an Ack is retried every RetryMs until acknowledged, at most MaxRetries
/// times; when the last retry is unanswered after RetryMs it is reported as failed. Received PMMs are de-duplicated on
/// (sender, transaction id): a duplicate gets the stored Ack result again and is not processed.
/// </summary>
internal sealed class PmmTransport
{
    private const int RememberedTransactions = 512;

    private readonly int retryMs;
    private readonly int maxRetries;
    private readonly List<PendingPmm> pending = [];
    private readonly Dictionary<(uint Sender, uint Transaction), AckResult> seen = [];
    private readonly Queue<(uint Sender, uint Transaction)> seenOrder = new();
    private uint nextTransactionId = 1;

    public PmmTransport(int retryMs, int maxRetries)
    {
        this.retryMs = retryMs;
        this.maxRetries = maxRetries;
    }

    public IReadOnlyList<PendingPmm> Pending => pending;

    public uint Send(uint destination, PmmBody body, long nowMs, List<OutgoingMessage> output)
    {
        var message = new PendingPmm(destination, NextId(), body) { LastSentMs = nowMs };
        pending.Add(message);
        output.Add(new OutgoingMessage(new Pmm(destination, message.TransactionId, body)));
        return message.TransactionId;
    }

    public void SendAck(uint destination, uint acknowledged, AckResult result, List<OutgoingMessage> output) =>
        output.Add(new OutgoingMessage(new Pmm(destination, NextId(), new Ack(acknowledged, result))));

    /// <summary>Removes the acknowledged PMM; null when the Ack matches nothing outstanding (late duplicate).</summary>
    public PendingPmm? Acknowledge(uint sender, uint transactionId)
    {
        var i = pending.FindIndex(p => p.TransactionId == transactionId && p.Destination == sender);
        if (i < 0)
        {
            return null;
        }

        var message = pending[i];
        pending.RemoveAt(i);
        return message;
    }

    /// <summary>Re-sends what is due; returns the PMMs whose retries ran out (removed).</summary>
    public List<PendingPmm> Tick(long nowMs, List<OutgoingMessage> output)
    {
        var failed = new List<PendingPmm>();
        for (var i = 0; i < pending.Count;)
        {
            var message = pending[i];
            if (nowMs - message.LastSentMs < retryMs)
            {
                i++;
                continue;
            }

            if (message.Retries >= maxRetries)
            {
                failed.Add(message);
                pending.RemoveAt(i);
                continue;
            }

            message.Retries++;
            message.LastSentMs = nowMs;
            output.Add(new OutgoingMessage(new Pmm(message.Destination, message.TransactionId, message.Body)));
            i++;
        }

        return failed;
    }

    /// <summary>The stored Ack result when (sender, transaction) was already processed.</summary>
    public AckResult? Seen(uint sender, uint transactionId) =>
        seen.TryGetValue((sender, transactionId), out var result) ? result : null;

    public void Remember(uint sender, uint transactionId, AckResult result)
    {
        if (seen.Count >= RememberedTransactions)
        {
            seen.Remove(seenOrder.Dequeue());
        }

        seen[(sender, transactionId)] = result;
        seenOrder.Enqueue((sender, transactionId));
    }

    private uint NextId()
    {
        var id = nextTransactionId;
        nextTransactionId = nextTransactionId == uint.MaxValue ? 1 : nextTransactionId + 1;
        return id;
    }
}
