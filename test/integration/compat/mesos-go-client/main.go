// Command mesos-go-client is a small Mesos framework written on mesos-go's v1 HTTP
// scheduler library (github.com/mesos/mesos-go/api/v1/lib, used unchanged from the Go
// module proxy), as Go frameworks were written on it. Mezzo's compatibility tests run it
// against a real controller: it subscribes, launches shell tasks from offers (with LAUNCH,
// and two as a task group with LAUNCH_GROUP), acknowledges their updates, reconciles
// (explicitly and implicitly), kills, declines, fails over to a new connection with its
// framework ID and tears down, in protobuf or JSON (-codec). Each step prints one JSON line on stdout for the test to check; a
// failure prints {"step":"error",...} and exits 1.
//
// Credentials are HTTP Basic, as Mesos frameworks send them: -principal and the secret
// from the environment variable MESOS_SECRET (a Mezzo token).
package main

import (
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	mesos "github.com/mesos/mesos-go/api/v1/lib"
	"github.com/mesos/mesos-go/api/v1/lib/encoding/codecs"
	"github.com/mesos/mesos-go/api/v1/lib/httpcli"
	"github.com/mesos/mesos-go/api/v1/lib/httpcli/httpsched"
	"github.com/mesos/mesos-go/api/v1/lib/resources"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler"
	"github.com/mesos/mesos-go/api/v1/lib/scheduler/calls"
)

var (
	endpoint  = flag.String("endpoint", "", "the scheduler API URL, e.g. http://127.0.0.1:5050/api/v1/scheduler")
	standby   = flag.String("standby", "", "a standby's scheduler API URL: a first SUBSCRIBE there must be redirected to the leader")
	codecName = flag.String("codec", "protobuf", "protobuf or json")
	principal = flag.String("principal", "mesos-go", "the principal sent with the secret")
	prefix    = flag.String("task", "go-task", "the prefix of the task IDs")
	wait      = flag.Duration("wait", 60*time.Second, "how long to wait for any one event")
)

// report prints one step as a JSON line.
func report(step string, fields map[string]any) {
	if fields == nil {
		fields = map[string]any{}
	}
	fields["step"] = step
	b, err := json.Marshal(fields)
	if err != nil {
		panic(err)
	}
	fmt.Println(string(b))
}

func fail(step string, err error) {
	report("error", map[string]any{"at": step, "error": err.Error()})
	os.Exit(1)
}

// framework is one subscription: its caller and the events of its stream.
type framework struct {
	id     string
	caller calls.Caller
	events chan scheduler.Event
	ended  chan error
	resp   mesos.Response
}

func newCaller(url string) calls.Caller {
	codec, ok := codecs.ByMediaType[codecs.MediaTypeProtobuf], true
	if *codecName == "json" {
		codec = codecs.ByMediaType[codecs.MediaTypeJSON]
	} else if *codecName != "protobuf" {
		ok = false
	}
	if !ok {
		fail("flags", fmt.Errorf("unknown codec %q", *codecName))
	}
	cli := httpcli.New(
		httpcli.Endpoint(url),
		httpcli.Codec(codec),
		httpcli.Do(httpcli.With(
			httpcli.BasicAuth(*principal, os.Getenv("MESOS_SECRET")),
			httpcli.Timeout(20*time.Second),
		)),
	)
	return httpsched.NewCaller(cli)
}

func frameworkInfo(id string, failover float64) *mesos.FrameworkInfo {
	checkpoint := true
	info := &mesos.FrameworkInfo{
		User:            "nobody", // tasks run as nobody: the agent refuses root by default
		Name:            "mesos-go-client",
		Roles:           []string{"*"},
		FailoverTimeout: &failover,
		Checkpoint:      &checkpoint,
		Capabilities: []mesos.FrameworkInfo_Capability{
			{Type: mesos.FrameworkInfo_Capability_MULTI_ROLE},
		},
	}
	if id != "" {
		info.ID = &mesos.FrameworkID{Value: id}
	}
	return info
}

// subscribe sends SUBSCRIBE (with the framework ID on a failover) and waits for SUBSCRIBED.
func subscribe(ctx context.Context, id string) *framework {
	return subscribeAt(ctx, *endpoint, "subscribed", frameworkInfo(id, 60))
}

func subscribeAt(ctx context.Context, url, step string, info *mesos.FrameworkInfo) *framework {
	f := &framework{caller: newCaller(url), events: make(chan scheduler.Event, 64), ended: make(chan error, 1)}
	resp, err := f.caller.Call(ctx, calls.Subscribe(info))
	if err != nil {
		fail("subscribe", err)
	}
	f.resp = resp
	go func() {
		for {
			var e scheduler.Event
			if err := resp.Decode(&e); err != nil {
				fmt.Fprintf(os.Stderr, "event stream ended: %v\n", err)
				f.ended <- err
				close(f.events)
				return
			}
			f.events <- e
		}
	}()
	e := f.next(step, scheduler.Event_SUBSCRIBED)
	s := e.GetSubscribed()
	f.id = s.GetFrameworkID().GetValue()
	report(step, map[string]any{
		"framework_id":       f.id,
		"failover":           info.ID != nil,
		"heartbeat_interval": s.GetHeartbeatIntervalSeconds(),
		"master_version":     s.GetMasterInfo().GetVersion(),
		"master_port":        s.GetMasterInfo().GetPort(),
	})
	return f
}

// next waits for the next event of one of `types`, skipping heartbeats and other kinds.
func (f *framework) next(step string, types ...scheduler.Event_Type) scheduler.Event {
	timeout := time.After(*wait)
	for {
		select {
		case e, ok := <-f.events:
			if !ok {
				fail(step, fmt.Errorf("the event stream ended: %v", <-f.ended))
			}
			if e.GetType() == scheduler.Event_ERROR {
				fail(step, fmt.Errorf("ERROR event: %s", e.GetError().GetMessage()))
			}
			for _, t := range types {
				if e.GetType() == t {
					return e
				}
			}
			// Offers not wanted now go back at once, so they are offered again later.
			if o := e.GetOffers(); o != nil {
				f.decline(step, o.GetOffers(), 0)
			}
		case <-timeout:
			fail(step, fmt.Errorf("no %v within %v", types, *wait))
		}
	}
}

func (f *framework) call(ctx context.Context, c *scheduler.Call) error {
	c.FrameworkID = &mesos.FrameworkID{Value: f.id}
	return calls.CallNoData(ctx, f.caller, c)
}

func (f *framework) decline(step string, offers []mesos.Offer, refuse time.Duration) {
	ids := make([]mesos.OfferID, 0, len(offers))
	for _, o := range offers {
		ids = append(ids, o.ID)
	}
	c := calls.Decline(ids...).With(calls.RefuseSeconds(refuse))
	if err := f.call(context.Background(), c); err != nil {
		fail(step+"/decline", err)
	}
}

// offer waits for an offer with room for a task; others are declined.
func (f *framework) offer(step string) mesos.Offer {
	return f.offerFor(step, 0.1, 32)
}

// offerFor waits for an offer of at least `minCPUs` and `minMem`; others are declined.
func (f *framework) offerFor(step string, minCPUs float64, minMem uint64) mesos.Offer {
	for {
		e := f.next(step, scheduler.Event_OFFERS)
		offers := e.GetOffers().GetOffers()
		for i, o := range offers {
			cpus, _ := resources.CPUs(o.Resources...)
			mem, _ := resources.Memory(o.Resources...)
			if cpus >= minCPUs && mem >= minMem {
				rest := append(append([]mesos.Offer{}, offers[:i]...), offers[i+1:]...)
				if len(rest) > 0 {
					f.decline(step, rest, 0)
				}
				report(step, map[string]any{"offer_id": o.ID.Value, "agent_id": o.AgentID.Value, "hostname": o.Hostname, "cpus": cpus, "mem": mem, "offers": len(offers)})
				return o
			}
		}
		f.decline(step, offers, 0)
	}
}

func task(id string, agent mesos.AgentID, command string) mesos.TaskInfo {
	shell := true
	return mesos.TaskInfo{
		Name:    id,
		TaskID:  mesos.TaskID{Value: id},
		AgentID: agent,
		Command: &mesos.CommandInfo{
			Shell: &shell,
			Value: &command,
			Environment: &mesos.Environment{Variables: []mesos.Environment_Variable{
				{Name: "GREETING", Value: strPtr("hello from mesos-go")},
			}},
		},
		Resources: []mesos.Resource{
			resources.NewCPUs(0.1).Resource,
			resources.NewMemory(32).Resource,
		},
		Labels: &mesos.Labels{Labels: []mesos.Label{{Key: "client", Value: strPtr("mesos-go")}}},
	}
}

func strPtr(s string) *string { return &s }

// launch accepts the offer with one LAUNCH of a shell task.
func (f *framework) launch(ctx context.Context, step string, o mesos.Offer, t mesos.TaskInfo) {
	accept := calls.Accept(calls.OfferOperations{calls.OpLaunch(t)}.WithOffers(o.ID)).
		With(calls.RefuseSeconds(time.Second))
	if err := f.call(ctx, accept); err != nil {
		fail(step, err)
	}
	report(step, map[string]any{"task": t.TaskID.Value, "offer_id": o.ID.Value})
}

// update waits for the next status update of `taskID`, acknowledging every update
// that carries a UUID until then.
func (f *framework) update(ctx context.Context, step, taskID string) mesos.TaskStatus {
	for {
		if s := f.nextUpdate(ctx, step); s.TaskID.Value == taskID {
			return s
		}
	}
}

// nextUpdate waits for the next status update, reports it and acknowledges it when it
// carries a UUID.
func (f *framework) nextUpdate(ctx context.Context, step string) mesos.TaskStatus {
	e := f.next(step, scheduler.Event_UPDATE)
	s := e.GetUpdate().GetStatus()
	acked := false
	if len(s.UUID) > 0 {
		ack := calls.Acknowledge(s.GetAgentID().GetValue(), s.TaskID.Value, s.UUID)
		if err := f.call(ctx, ack); err != nil {
			fail(step+"/acknowledge", err)
		}
		acked = true
	}
	fields := map[string]any{
		"task":      s.TaskID.Value,
		"state":     s.GetState().String(),
		"acked":     acked,
		"uuid":      hex.EncodeToString(s.UUID),
		"source":    s.GetSource().String(),
		"timestamp": s.GetTimestamp(),
	}
	if s.Reason != nil {
		fields["reason"] = s.GetReason().String()
	}
	if s.GetAgentID() != nil {
		fields["agent_id"] = s.GetAgentID().GetValue()
	}
	report(step, fields)
	return s
}

// until acknowledges updates of taskID until one in `state`.
func (f *framework) until(ctx context.Context, step, taskID string, state mesos.TaskState) {
	for {
		s := f.update(ctx, step, taskID)
		if s.GetState() == state {
			return
		}
		if s.GetState() != mesos.TASK_STAGING && s.GetState() != mesos.TASK_STARTING && s.GetState() != mesos.TASK_RUNNING && s.GetState() != mesos.TASK_KILLING {
			fail(step, fmt.Errorf("task %s ended %s, waiting for %s: %s", taskID, s.GetState(), state, s.GetMessage()))
		}
	}
}

// launchGroup accepts the offer with one LAUNCH_GROUP of `tasks` under a DEFAULT executor
// that declares resources of its own, as Mesos requires.
func (f *framework) launchGroup(ctx context.Context, step string, o mesos.Offer, executorID string, tasks ...mesos.TaskInfo) {
	executor := mesos.ExecutorInfo{
		Type:        mesos.ExecutorInfo_DEFAULT,
		ExecutorID:  mesos.ExecutorID{Value: executorID},
		FrameworkID: &mesos.FrameworkID{Value: f.id},
		Resources: []mesos.Resource{
			resources.NewCPUs(0.1).Resource,
			resources.NewMemory(32).Resource,
			resources.NewDisk(1).Resource,
		},
	}
	accept := calls.Accept(calls.OfferOperations{calls.OpLaunchGroup(executor, tasks...)}.WithOffers(o.ID)).
		With(calls.RefuseSeconds(time.Second))
	if err := f.call(ctx, accept); err != nil {
		fail(step, err)
	}
	ids := make([]string, 0, len(tasks))
	for _, t := range tasks {
		ids = append(ids, t.TaskID.Value)
	}
	report(step, map[string]any{"tasks": ids, "executor": executorID, "offer_id": o.ID.Value})
}

// untilAll acknowledges updates until every one of `taskIDs` is in `state`.
func (f *framework) untilAll(ctx context.Context, step string, state mesos.TaskState, taskIDs ...string) {
	left := map[string]bool{}
	for _, id := range taskIDs {
		left[id] = true
	}
	for len(left) > 0 {
		s := f.nextUpdate(ctx, step)
		if !left[s.TaskID.Value] {
			continue
		}
		switch s.GetState() {
		case state:
			delete(left, s.TaskID.Value)
		case mesos.TASK_STAGING, mesos.TASK_STARTING, mesos.TASK_RUNNING, mesos.TASK_KILLING:
		default:
			fail(step, fmt.Errorf("task %s ended %s, waiting for %s: %s", s.TaskID.Value, s.GetState(), state, s.GetMessage()))
		}
	}
}

// refused sends a call Mezzo does not support and reports the error the library returns.
// mesos-go (v0.0.11) treats any failed call as a lost connection: it closes the event
// stream, so the framework subscribes again with its ID, as a mesos-go framework does.
func (f *framework) refused(ctx context.Context, step string, c *scheduler.Call) *framework {
	err := f.call(ctx, c)
	if err == nil {
		fail(step, errors.New("the call was accepted"))
	}
	report(step, map[string]any{"error": err.Error()})
	return f.failover(ctx)
}

// failover closes this connection and subscribes again with the framework ID.
func (f *framework) failover(ctx context.Context) *framework {
	f.resp.Close()
	next := subscribe(ctx, f.id)
	if next.id != f.id {
		fail("failover", fmt.Errorf("resubscribed as %s, not %s", next.id, f.id))
	}
	return next
}

func main() {
	flag.Parse()
	if *endpoint == "" {
		fail("flags", errors.New("-endpoint is required"))
	}
	ctx := context.Background()

	if *standby != "" {
		// The library follows the standby's 307 to the leader's address. Its later calls
		// would still go to the standby, so this framework (failover timeout 0) leaves at
		// once: the connection closes and the leader removes it.
		info := frameworkInfo("", 0)
		info.Name = "mesos-go-client-redirected"
		r := subscribeAt(ctx, *standby, "redirected", info)
		r.resp.Close()
	}

	f := subscribe(ctx, "")

	// A shell task to its end: every update acknowledged.
	o := f.offer("offer")
	finished := *prefix + "-1"
	f.launch(ctx, "launched", o, task(finished, o.AgentID, `test "$GREETING" = "hello from mesos-go"`))
	f.until(ctx, "update", finished, mesos.TASK_FINISHED)

	// Explicit reconciliation of the finished task.
	if err := f.call(ctx, calls.Reconcile(calls.ReconcileTasks(map[string]string{finished: o.AgentID.Value}))); err != nil {
		fail("reconcile-explicit", err)
	}
	f.update(ctx, "reconcile-explicit", finished)

	// A task group of two shell tasks under the DEFAULT executor: both run on the offer's
	// agent and finish, every update acknowledged.
	o = f.offerFor("offer", 0.3, 96)
	g1, g2 := *prefix+"-g1", *prefix+"-g2"
	f.launchGroup(ctx, "launched-group", o, *prefix+"-executor",
		task(g1, o.AgentID, `test "$GREETING" = "hello from mesos-go"`),
		task(g2, o.AgentID, "sleep 0.2"))
	f.untilAll(ctx, "group-update", mesos.TASK_FINISHED, g1, g2)

	// A long task, found by implicit reconciliation.
	o = f.offer("offer")
	sleeper := *prefix + "-2"
	f.launch(ctx, "launched", o, task(sleeper, o.AgentID, "sleep 300"))
	f.until(ctx, "update", sleeper, mesos.TASK_RUNNING)
	if err := f.call(ctx, calls.Reconcile()); err != nil {
		fail("reconcile-implicit", err)
	}
	f.update(ctx, "reconcile-implicit", sleeper)

	// What Mezzo has not is refused by name with 400; each refusal costs the library its
	// connection, so each is followed by a failover that keeps the framework and its task.
	f = f.refused(ctx, "refused-message", calls.Message(o.AgentID.Value, sleeper, []byte("hi")))
	if err := f.call(ctx, calls.Reconcile(calls.ReconcileTasks(map[string]string{sleeper: ""}))); err != nil {
		fail("reconcile-after-failover", err)
	}
	f.update(ctx, "reconcile-after-failover", sleeper)
	o = f.offer("offer")
	volume := resources.Build().Name(resources.NameDisk).Scalar(1).Role("*").Disk("vol-1", "data").Resource
	volume.Disk.Volume.Mode = mesos.RW.Enum()
	f = f.refused(ctx, "refused-create", calls.Accept(calls.OfferOperations{calls.OpCreate(volume)}.WithOffers(o.ID)))

	if err := f.call(ctx, calls.Kill(sleeper, o.AgentID.Value)); err != nil {
		fail("kill", err)
	}
	f.until(ctx, "killed", sleeper, mesos.TASK_KILLED)

	// DECLINE with a filter: no offer of that agent for the refusal's length.
	o = f.offer("offer")
	if err := f.call(ctx, calls.Decline(o.ID).With(calls.RefuseSeconds(3600*time.Second))); err != nil {
		fail("declined", err)
	}
	report("declined", map[string]any{"offer_id": o.ID.Value})

	if err := f.call(ctx, &scheduler.Call{Type: scheduler.Call_TEARDOWN}); err != nil {
		fail("teardown", err)
	}
	report("teardown", map[string]any{"framework_id": f.id})
	// Mesos ends the stream of a framework torn down.
	select {
	case err := <-f.ended:
		report("stream-ended", map[string]any{"error": fmt.Sprint(err)})
	case <-time.After(*wait):
		fail("stream-ended", errors.New("the stream stayed open after TEARDOWN"))
	}
}
