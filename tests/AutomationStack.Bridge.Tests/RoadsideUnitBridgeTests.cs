using System.Security.Cryptography;
using AutomationStack.Bridge.Protocol;
using AutomationStack.Mcap;
using AutomationStack.Platooning.Protocol;
using AutomationStack.Platooning.Security;
using Google.Protobuf;
using Grpc.Core;

namespace AutomationStack.Bridge.Tests;

[TestFixture]
[CancelAfter(120_000)]
public sealed class RoadsideUnitBridgeTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    // A crossing road C at x = 300 and intersection 1 (RSU at x = 290) on the fixture's straight road R.
    private const string Crossing = """

          - id: C
            lane_count: 1
            lane_width: 3.5
            speed_limit_kph: 50
            start: {x: 302, y: -60, heading_deg: 90}
            segments:
              - straight: {length: 120}
        signal_heads:
          - {id: H1, x: 297, y: -3.9, height: 2.5, heading_deg: 180, lanes: [R/0]}
          - {id: H2, x: 305, y: -5, height: 2.5, heading_deg: -90, lanes: [C/0]}
        intersections:
          - id: 1
            x: 290
            y: -8
            signal_groups:
              - id: 1
                heads: [H1]
                ingress:
                  - {lane: R/0, stop_line_s: 295, egress: [R/0]}
              - id: 2
                heads: [H2]
                ingress:
                  - {lane: C/0, stop_line_s: 55, egress: [C/0]}
        """;

    private const string Controller = """
        signal_controllers:
          - intersection: 1
            mode: actuated
            detector_distance: 40
            stages:
              - {groups: [1], min_green: 5, max_green: 20, passage: 2}
              - {groups: [2], min_green: 5, max_green: 20, passage: 2}
        """;

    [Test]
    public async Task Run_SignalController_TruckGetsSignedSpatAndMapAndAnAnswerToItsRequest()
    {
        await using var f = await BridgeFixture.StartAsync(duration: 2.05, events: Controller, mapExtra: Crossing);
        var runTask = f.StartRunAsync();
        using var call = f.Client.Drive(deadline: DateTime.UtcNow + Wait);
        await call.RequestStream.WriteAsync(new VehicleToBridge { Attach = new Attach { VehicleId = "truck1", ProtocolVersion = ProtocolInfo.Version } });
        Assert.That(await call.ResponseStream.MoveNext(), Is.True);
        var attached = call.ResponseStream.Current.Attached;
        using var verifier = new V2xVerifier();
        var credentials = attached.Credentials;
        verifier.AddRoot(V2xCertificate.Decode(credentials.RootCertificate.Span));
        foreach (var aa in credentials.AuthorityCertificates)
        {
            verifier.AddAuthority(V2xCertificate.Decode(aa.Span));
        }

        using var key = ECDsa.Create();
        key.ImportPkcs8PrivateKey(credentials.PrivateKeyPkcs8.Span, out _);
        using var signer = new V2xSigner(V2xCertificate.Decode(credentials.Certificate.Span), key);

        var received = new List<(long Frame, uint Sender, V2xBody Body)>();
        var sentRequest = false;
        while (await call.ResponseStream.MoveNext())
        {
            var message = call.ResponseStream.Current;
            if (message.MessageCase == BridgeToVehicle.MessageOneofCase.End)
            {
                break;
            }

            var frame = message.Frame;
            var nowMs = credentials.EpochMs + (ulong)(frame.StampNs / 1_000_000);
            foreach (var m in frame.V2X)
            {
                Assert.That(verifier.Verify(m.Payload.Span, nowMs, out var verified), Is.EqualTo(DropReason.None), $"frame {frame.Frame_} from {m.SenderStationId}");
                received.Add((frame.Frame_, m.SenderStationId, V2xCodec.Decode(verified!.Message.Span).Body));
            }

            var command = new Command { VehicleId = "truck1", Frame = frame.Frame_ };
            if (!sentRequest && frame.StampNs >= 1_000_000_000)
            {
                // At 1 s, 2 s into the green (min 5 s, max 20 s): hold it until 12 s after now (rear clears at 13 s).
                var request = new SignalRequest(1, 9, 1, null, 10, 12, 50, 3);
                var header = new MessageHeader(V2xMessageType.SignalRequest, attached.StationId, nowMs, 1);
                var envelope = signer.Sign(V2xCodec.Encode(header, request), includeCertificate: true, null);
                command.V2X.Add(new V2xMessage { SenderStationId = attached.StationId, StampNs = frame.StampNs, Payload = ByteString.CopyFrom(envelope) });
                sentRequest = true;
            }

            await call.RequestStream.WriteAsync(new VehicleToBridge { Command = command });
        }

        await runTask.WaitAsync(Wait);

        const uint rsu = 1_000_001;
        var spats = received.Where(r => r.Body is Spat).ToList();
        var maps = received.Where(r => r.Body is MapData).ToList();
        Assert.That(spats.All(s => s.Sender == rsu) && maps.All(m => m.Sender == rsu), Is.True);
        Assert.That(spats, Has.Count.EqualTo(20), "10 Hz over 2 s: sent at 0.1 … 2.0 s, delivered by 2.05 s");
        Assert.That(maps, Has.Count.EqualTo(2), "1 Hz: at 1 s and 2 s");
        var map = (MapData)maps[0].Body;
        Assert.That(map.Groups.Select(g => g.SignalGroupId), Is.EqualTo(new[] { 1, 2 }));
        Assert.That(map.Groups[0].Ingress[0], Is.EqualTo(new MapIngressLane("R/0", 295, 295, -1.75, ["R/0"])));
        var first = (Spat)spats[0].Body;
        Assert.That(first.Groups[0].State, Is.EqualTo(SignalPhaseState.Green));
        Assert.That(first.Groups[0].MinEnd, Is.EqualTo(4.9).Within(1e-9), "min green 5 s, SPaT at 0.1 s");
        Assert.That(first.Groups[0].MaxEnd, Is.EqualTo(19.9).Within(1e-9));
        Assert.That(first.Groups[1].State, Is.EqualTo(SignalPhaseState.Red));
        var response = received.Select(r => r.Body).OfType<SignalResponse>().Single();
        Assert.That(response.Outcome, Is.EqualTo(SignalRequestOutcome.Granted));
        Assert.That((response.RequesterStationId, response.RequestId, response.SignalGroupId), Is.EqualTo((attached.StationId, (byte)9, 1)));
        var last = (Spat)spats[^1].Body;
        Assert.That(last.Groups[0].MinEnd, Is.EqualTo(11).Within(0.051), "held until 13 s; SPaT at 2 s");

        var path = Path.Combine(Path.GetTempPath(), "as-rsu-" + Guid.NewGuid().ToString("N") + ".mcap");
        File.WriteAllBytes(path, f.Recording.ToArray());
        try
        {
            using var reader = McapReader.Open(path);
            var truth = reader.ReadMessages("/ground_truth").Select(m => GroundTruth.Parser.ParseFrom(m.Data.Span)).ToList();
            var x = truth[^1].Intersections.Single();
            Assert.That((x.Id, x.StationId, x.Stage), Is.EqualTo((1u, rsu, 0u)));
            Assert.That(x.Groups.Select(g => (g.Id, g.State)), Is.EqualTo(new[] { (1u, SignalLampState.Green), (2u, SignalLampState.Red) }));
            Assert.That(truth[^1].SignalHeads.Select(h => h.Lamp), Is.EqualTo(new[] { SignalLampState.Green, SignalLampState.Red }), "the heads show the controller's state");
            var events = reader.ReadMessages("/events").Select(m => RunEvent.Parser.ParseFrom(m.Data.Span)).Where(e => e.Kind == "signal_priority").ToList();
            Assert.That(events.Single().VehicleId, Is.EqualTo("truck1"));
            Assert.That(events.Single().Detail, Does.Contain("Granted, green until 13.00 s"));
            var kpi = KpiSummary.Parser.ParseFrom(reader.ReadMessages("/kpi").Single().Data.Span).RoadsideUnits.Single();
            Assert.That((kpi.IntersectionId, kpi.StationId, kpi.SpatSent, kpi.MapSent), Is.EqualTo((1u, rsu, 20L, 2L)), "sent by 2.05 s");
            Assert.That((kpi.RequestsAnswered, kpi.PriorityGranted, kpi.PriorityRejected, kpi.Dropped), Is.EqualTo((1L, 1, 0, 0L)));
        }
        finally
        {
            File.Delete(path);
        }
    }
}
