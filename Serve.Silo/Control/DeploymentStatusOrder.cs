namespace Serve.Control;

/// <summary>
/// Which deployment statuses the controller may fold. Each deployment grain activation numbers its statuses in the order
/// it produced them (<see cref="Grains.DeploymentReport"/>), and reports and answers reach the controller in any order,
/// so a status of the activation the controller last heard from is kept only when it is not older than the newest one
/// kept. An equal number is the same status again (an answer repeating what a report said), which still restores it
/// where a deploy reset the application's status meanwhile. A status of another activation (the grain re-activated,
/// perhaps on another silo) is kept as it comes: activations' numbers do not compare, and refusing the new activation's
/// statuses would leave the controller on the old one's for good; a straggler of the old activation arriving after the
/// new one's is mended by the next status or reconcile pass.
/// </summary>
internal sealed class DeploymentStatusOrder
{
    private readonly Dictionary<string, (Guid Activation, long Sequence)> _newest = [];

    /// <summary>True, and remembered, when the status is to be folded.</summary>
    public bool Accept(string deployment, Guid activation, long sequence)
    {
        if (_newest.TryGetValue(deployment, out var newest) && newest.Activation == activation && sequence < newest.Sequence)
        {
            return false;
        }
        _newest[deployment] = (activation, sequence);
        return true;
    }

    /// <summary>The deployment is gone: nothing of it is kept.</summary>
    public void Forget(string deployment) => _newest.Remove(deployment);
}
