// cnidriver drives a CNI plugin through libcni as containerd and CRI-O do: a conflist,
// AddNetworkList / CheckNetworkList / DelNetworkList, and GCNetworkList.
//
// Debian 12's libcni (golang-github-appc-cni-dev 1.1.2) predates GC and STATUS, so `gc` and
// `status` are done the way libcni 1.2 does them: the plugins of the list are executed with
// CNI_COMMAND=GC (config carrying cni.dev/valid-attachments) or STATUS, through libcni's own
// invoke package.
//
// Build (offline, GOPATH mode):
//
//	GOPATH=/usr/share/gocode GO111MODULE=off go build -o cnidriver ./tests/libcni
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/invoke"
)

func main() {
	conflist := flag.String("conflist", "", "network config list file")
	netns := flag.String("netns", "", "netns path")
	id := flag.String("id", "", "container id")
	ifname := flag.String("ifname", "eth0", "interface name")
	cacheDir := flag.String("cachedir", "", "libcni cache dir")
	valid := flag.String("valid", "", "GC: comma-separated containerID/ifname attachments to keep")
	args := flag.String("args", "", "CNI_ARGS as K=V;K=V")
	mac := flag.String("mac", "", "capability arg mac (runtimeConfig.mac)")
	deviceID := flag.String("deviceid", "", "capability arg deviceID (runtimeConfig.deviceID, as Multus passes it)")
	flag.Parse()
	if flag.NArg() != 1 || *conflist == "" {
		fmt.Fprintln(os.Stderr, "usage: cnidriver --conflist F [--netns P --id C --ifname I] add|check|del|gc|status|validate")
		os.Exit(2)
	}
	list, err := libcni.ConfListFromFile(*conflist)
	if err != nil {
		fail(err)
	}
	path := strings.Split(os.Getenv("CNI_PATH"), ":")
	cni := libcni.NewCNIConfigWithCacheDir(path, *cacheDir, nil)
	rt := &libcni.RuntimeConf{ContainerID: *id, NetNS: *netns, IfName: *ifname}
	for _, kv := range strings.Split(*args, ";") {
		if p := strings.SplitN(kv, "=", 2); len(p) == 2 {
			rt.Args = append(rt.Args, [2]string{p[0], p[1]})
		}
	}
	rt.CapabilityArgs = map[string]interface{}{}
	if *mac != "" {
		rt.CapabilityArgs["mac"] = *mac
	}
	if *deviceID != "" {
		rt.CapabilityArgs["deviceID"] = *deviceID
	}
	ctx := context.Background()
	switch flag.Arg(0) {
	case "add":
		res, err := cni.AddNetworkList(ctx, list, rt)
		if err != nil {
			fail(err)
		}
		if err := res.Print(); err != nil {
			fail(err)
		}
	case "check":
		if err := cni.CheckNetworkList(ctx, list, rt); err != nil {
			fail(err)
		}
	case "del":
		if err := cni.DelNetworkList(ctx, list, rt); err != nil {
			fail(err)
		}
	case "validate":
		caps, err := cni.ValidateNetworkList(ctx, list)
		if err != nil {
			fail(err)
		}
		fmt.Println(strings.Join(caps, ","))
	case "gc", "status":
		if err := gcOrStatus(ctx, flag.Arg(0), list, path, *valid); err != nil {
			fail(err)
		}
	default:
		fail(fmt.Errorf("unknown command %q", flag.Arg(0)))
	}
}

// gcOrStatus runs every plugin of the list with GC or STATUS, as libcni 1.2's GCNetworkList and
// GetStatusNetworkList do.
func gcOrStatus(ctx context.Context, cmd string, list *libcni.NetworkConfigList, path []string, valid string) error {
	attachments := []map[string]string{} // an empty list, never null
	for _, a := range strings.Split(valid, ",") {
		if p := strings.SplitN(a, "/", 2); len(p) == 2 {
			attachments = append(attachments, map[string]string{"containerID": p[0], "ifname": p[1]})
		}
	}
	exec := &invoke.DefaultExec{RawExec: &invoke.RawExec{Stderr: os.Stderr}}
	for _, plugin := range list.Plugins {
		var conf map[string]interface{}
		if err := json.Unmarshal(plugin.Bytes, &conf); err != nil {
			return err
		}
		conf["name"] = list.Name
		conf["cniVersion"] = list.CNIVersion
		if cmd == "gc" {
			conf["cni.dev/valid-attachments"] = attachments
		}
		data, err := json.Marshal(conf)
		if err != nil {
			return err
		}
		bin, err := exec.FindInPath(plugin.Network.Type, path)
		if err != nil {
			return err
		}
		args := &invoke.Args{Command: strings.ToUpper(cmd), Path: strings.Join(path, ":")}
		if err := invoke.ExecPluginWithoutResult(ctx, bin, data, args, exec); err != nil {
			return err
		}
	}
	return nil
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "cnidriver:", err)
	os.Exit(1)
}
