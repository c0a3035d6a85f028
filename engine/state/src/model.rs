//! The state in memory: resources hashed by address, each with its instances keyed by index
//! key, each instance with a current object and any deposed ones. A lookup or update by
//! address costs one hash lookup plus O(log instances of that resource), with no allocation
//! for lookups. Terraform's order (module, mode, type, name) is computed when first iterated
//! and kept until a resource is added or removed.

use crate::StateError;
use crate::addr::{format_instance_addr, format_module};
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::OnceLock;
use terrane_types::{
    InstanceKey, ModuleInstance, ResourceAddr, ResourceInstanceAddr, ResourceMode,
};

/// The only state format version read and written.
pub const FORMAT_VERSION: u64 = 4;

/// A whole state: what `terraform.tfstate` holds.
#[derive(Clone, Debug)]
pub struct State {
    /// The version of Terraform the state claims to be written by (the engine sets it).
    pub terraform_version: String,
    /// Incremented by each write that changes the state.
    pub serial: u64,
    /// Identifies a state's history: a state and its successors share it.
    pub lineage: String,
    /// Root module outputs, in name order (as Terraform writes them).
    pub outputs: BTreeMap<String, OutputState>,
    /// Results of checks from the last run, kept as written (`null` when none).
    pub check_results: Value,
    /// Unknown top-level fields, kept and written back after the known ones.
    pub extra: Map<String, Value>,
    pub(crate) resources: HashMap<ResourceAddr, ResourceState>,
    /// The resources' addresses in Terraform's order, computed on demand.
    order: OnceLock<Vec<ResourceAddr>>,
}

impl PartialEq for State {
    fn eq(&self, other: &State) -> bool {
        self.terraform_version == other.terraform_version
            && self.serial == other.serial
            && self.lineage == other.lineage
            && self.outputs == other.outputs
            && self.check_results == other.check_results
            && self.extra == other.extra
            && self.resources == other.resources
    }
}

/// A root module output value.
#[derive(Clone, Debug, PartialEq)]
pub struct OutputState {
    pub value: Value,
    /// The value's type in Terraform's JSON type syntax (`"string"`, `["list","number"]`).
    pub type_: Value,
    pub sensitive: bool,
    /// Unknown fields, kept.
    pub extra: Map<String, Value>,
}

impl OutputState {
    pub fn new(value: Value, type_: Value, sensitive: bool) -> OutputState {
        OutputState {
            value,
            type_,
            sensitive,
            extra: Map::new(),
        }
    }
}

/// A resource and its instances.
#[derive(Clone, Debug, PartialEq)]
pub struct ResourceState {
    pub module: ModuleInstance,
    pub mode: ResourceMode,
    pub type_name: String,
    pub name: String,
    /// The provider configuration: `provider["registry.terraform.io/hashicorp/random"]`,
    /// `module.app.provider["registry.terraform.io/hashicorp/aws"].west`.
    pub provider: String,
    /// `"list"` or `"map"`: written by Terraform 0.12 only (later versions dropped the field);
    /// kept when read, never set by this crate.
    pub each: Option<String>,
    /// Unknown fields, kept.
    pub extra: Map<String, Value>,
    pub(crate) instances: BTreeMap<Option<InstanceKey>, Objects>,
}

/// The objects of one resource instance: the current one and deposed ones (objects replaced
/// with `create_before_destroy` and not destroyed yet), by deposed key.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Objects {
    pub(crate) current: Option<InstanceState>,
    pub(crate) deposed: BTreeMap<String, InstanceState>,
}

impl Objects {
    fn is_empty(&self) -> bool {
        self.current.is_none() && self.deposed.is_empty()
    }
}

/// One object of a resource instance. Its index key is in its address and its deposed key
/// in its slot, so neither is repeated here.
#[derive(Clone, Debug, PartialEq)]
pub struct InstanceState {
    /// `Some("tainted")` for an object to replace; other values are kept as written.
    pub status: Option<String>,
    pub schema_version: u64,
    /// The object as the provider returned it; read with the resource's schema.
    /// `Null` stands for an absent field.
    pub attributes: Value,
    /// Flatmap attributes of states upgraded from Terraform 0.11 and never refreshed since.
    pub attributes_flat: Option<Value>,
    /// Paths of sensitive values (Terraform writes a list of step lists); `Null` = absent.
    pub sensitive_attributes: Value,
    /// Written by Terraform ≥ 1.12 (resource identity); absent before.
    pub identity_schema_version: Option<u64>,
    pub identity: Option<Value>,
    /// The provider's private data, base64 as written.
    pub private: Option<String>,
    /// Addresses of the resources this object depended on when it was last applied.
    pub dependencies: Vec<String>,
    pub create_before_destroy: bool,
    /// Unknown fields, kept and written back after the known ones.
    pub extra: Map<String, Value>,
}

impl InstanceState {
    /// A ready object with the given attributes, as Terraform would record a new one.
    pub fn new(attributes: Value) -> InstanceState {
        InstanceState {
            status: None,
            schema_version: 0,
            attributes,
            attributes_flat: None,
            sensitive_attributes: Value::Array(Vec::new()),
            identity_schema_version: None,
            identity: None,
            private: None,
            dependencies: Vec::new(),
            create_before_destroy: false,
            extra: Map::new(),
        }
    }

    pub fn is_tainted(&self) -> bool {
        self.status.as_deref() == Some("tainted")
    }

    pub fn set_tainted(&mut self, tainted: bool) {
        self.status = tainted.then(|| "tainted".to_owned());
    }
}

impl Default for InstanceState {
    fn default() -> InstanceState {
        InstanceState::new(Value::Object(Map::new()))
    }
}

/// A resource's position in Terraform's order: module path text, mode text, type, name.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct ResourceKey {
    module: String,
    mode: &'static str,
    type_name: String,
    name: String,
}

impl ResourceKey {
    fn of(addr: &ResourceAddr) -> ResourceKey {
        ResourceKey {
            module: format_module(&addr.module),
            mode: crate::addr::mode_str(addr.mode),
            type_name: addr.type_name.clone(),
            name: addr.name.clone(),
        }
    }
}

impl ResourceState {
    pub(crate) fn empty(addr: &ResourceAddr, provider: &str) -> ResourceState {
        ResourceState {
            module: addr.module.clone(),
            mode: addr.mode,
            type_name: addr.type_name.clone(),
            name: addr.name.clone(),
            provider: provider.to_owned(),
            each: None,
            extra: Map::new(),
            instances: BTreeMap::new(),
        }
    }

    pub fn addr(&self) -> ResourceAddr {
        ResourceAddr {
            module: self.module.clone(),
            mode: self.mode,
            type_name: self.type_name.clone(),
            name: self.name.clone(),
        }
    }

    /// The current object of an instance.
    pub fn instance(&self, key: Option<&InstanceKey>) -> Option<&InstanceState> {
        self.instances.get(&key.cloned())?.current.as_ref()
    }

    /// Instances with a current object, in key order.
    pub fn instances(&self) -> impl Iterator<Item = (Option<&InstanceKey>, &InstanceState)> {
        self.instances
            .iter()
            .filter_map(|(k, o)| Some((k.as_ref(), o.current.as_ref()?)))
    }

    /// Deposed objects of every instance: (index key, deposed key, object).
    pub fn deposed(&self) -> impl Iterator<Item = (Option<&InstanceKey>, &str, &InstanceState)> {
        self.instances.iter().flat_map(|(k, o)| {
            o.deposed
                .iter()
                .map(move |(d, inst)| (k.as_ref(), d.as_str(), inst))
        })
    }

    /// Whether the resource has no object at all (Terraform drops such resources).
    pub fn is_empty(&self) -> bool {
        self.instances.values().all(Objects::is_empty)
    }
}

impl State {
    /// An empty state of the given lineage, serial 0. The engine sets `terraform_version`.
    pub fn new(lineage: impl Into<String>) -> State {
        State {
            terraform_version: String::new(),
            serial: 0,
            lineage: lineage.into(),
            outputs: BTreeMap::new(),
            check_results: Value::Null,
            extra: Map::new(),
            resources: HashMap::new(),
            order: OnceLock::new(),
        }
    }

    /// A fresh lineage: a random UUID, as Terraform makes them.
    pub fn new_lineage() -> String {
        uuid::Uuid::new_v4().to_string()
    }

    /// Resources in Terraform's order.
    fn order(&self) -> &[ResourceAddr] {
        self.order.get_or_init(|| {
            let mut addrs: Vec<ResourceAddr> = self.resources.keys().cloned().collect();
            addrs.sort_by_cached_key(ResourceKey::of);
            addrs
        })
    }

    /// Adds a resource (decoding), forgetting the order.
    pub(crate) fn resource_entry(
        &mut self,
        addr: ResourceAddr,
        provider: &str,
    ) -> &mut ResourceState {
        if !self.resources.contains_key(&addr) {
            self.order.take();
        }
        self.resources
            .entry(addr)
            .or_insert_with_key(|addr| ResourceState::empty(addr, provider))
    }

    fn objects(&self, addr: &ResourceInstanceAddr) -> Option<&Objects> {
        self.resources.get(&addr.resource)?.instances.get(&addr.key)
    }

    fn objects_mut(&mut self, addr: &ResourceInstanceAddr) -> Option<&mut Objects> {
        self.resources
            .get_mut(&addr.resource)?
            .instances
            .get_mut(&addr.key)
    }

    /// The slot of an instance, creating its resource and slot if needed; the resource takes
    /// `provider` (as Terraform's `SetResourceInstanceCurrent` does).
    fn objects_entry(&mut self, addr: &ResourceInstanceAddr, provider: &str) -> &mut Objects {
        let resource = self.resource_entry(addr.resource.clone(), provider);
        if resource.provider != provider {
            provider.clone_into(&mut resource.provider);
        }
        resource.instances.entry(addr.key.clone()).or_default()
    }

    /// Drops the instance slot and then the resource if they hold nothing any more.
    fn prune(&mut self, addr: &ResourceInstanceAddr) {
        let Some(resource) = self.resources.get_mut(&addr.resource) else {
            return;
        };
        if resource
            .instances
            .get(&addr.key)
            .is_some_and(Objects::is_empty)
        {
            resource.instances.remove(&addr.key);
        }
        if resource.instances.is_empty() {
            self.remove_resource(&addr.resource);
        }
    }

    /// The current object of an instance.
    pub fn get(&self, addr: &ResourceInstanceAddr) -> Option<&InstanceState> {
        self.objects(addr)?.current.as_ref()
    }

    pub fn get_mut(&mut self, addr: &ResourceInstanceAddr) -> Option<&mut InstanceState> {
        self.objects_mut(addr)?.current.as_mut()
    }

    /// Sets the current object of an instance, creating its resource if new; the resource's
    /// provider becomes `provider`. Returns the object it replaces.
    pub fn set(
        &mut self,
        addr: &ResourceInstanceAddr,
        provider: &str,
        instance: InstanceState,
    ) -> Option<InstanceState> {
        self.objects_entry(addr, provider).current.replace(instance)
    }

    /// Removes the current object of an instance (and the resource with its last object).
    pub fn remove(&mut self, addr: &ResourceInstanceAddr) -> Option<InstanceState> {
        let old = self.objects_mut(addr)?.current.take();
        self.prune(addr);
        old
    }

    /// The deposed objects of an instance, by deposed key.
    pub fn deposed(
        &self,
        addr: &ResourceInstanceAddr,
    ) -> impl Iterator<Item = (&str, &InstanceState)> {
        self.objects(addr)
            .into_iter()
            .flat_map(|o| o.deposed.iter().map(|(k, v)| (k.as_str(), v)))
    }

    pub fn get_deposed(&self, addr: &ResourceInstanceAddr, key: &str) -> Option<&InstanceState> {
        self.objects(addr)?.deposed.get(key)
    }

    pub fn set_deposed(
        &mut self,
        addr: &ResourceInstanceAddr,
        key: &str,
        provider: &str,
        instance: InstanceState,
    ) -> Option<InstanceState> {
        self.objects_entry(addr, provider)
            .deposed
            .insert(key.to_owned(), instance)
    }

    pub fn remove_deposed(
        &mut self,
        addr: &ResourceInstanceAddr,
        key: &str,
    ) -> Option<InstanceState> {
        let old = self.objects_mut(addr)?.deposed.remove(key);
        self.prune(addr);
        old
    }

    /// Makes the current object of an instance deposed under `key` (the first step of a
    /// `create_before_destroy` replacement). False if there is no current object.
    pub fn depose(&mut self, addr: &ResourceInstanceAddr, key: &str) -> bool {
        let Some(objects) = self.objects_mut(addr) else {
            return false;
        };
        let Some(current) = objects.current.take() else {
            return false;
        };
        objects.deposed.insert(key.to_owned(), current);
        true
    }

    pub fn resource(&self, addr: &ResourceAddr) -> Option<&ResourceState> {
        self.resources.get(addr)
    }

    /// Resources in Terraform's order.
    pub fn resources(&self) -> impl Iterator<Item = &ResourceState> {
        self.order().iter().filter_map(|a| self.resources.get(a))
    }

    pub fn resource_addrs(&self) -> impl Iterator<Item = ResourceAddr> + '_ {
        self.order().iter().cloned()
    }

    /// Changes the provider configuration of a resource. False if there is no such resource.
    pub fn set_provider(&mut self, addr: &ResourceAddr, provider: &str) -> bool {
        match self.resources.get_mut(addr) {
            Some(r) => {
                provider.clone_into(&mut r.provider);
                true
            }
            None => false,
        }
    }

    pub fn remove_resource(&mut self, addr: &ResourceAddr) -> Option<ResourceState> {
        let removed = self.resources.remove(addr);
        if removed.is_some() {
            self.order.take();
        }
        removed
    }

    /// Every instance with a current object, in Terraform's order.
    pub fn instances(
        &self,
    ) -> impl Iterator<Item = (ResourceInstanceAddr, &ResourceState, &InstanceState)> {
        self.resources().flat_map(|r| {
            let addr = r.addr();
            r.instances()
                .map(move |(k, inst)| (addr.instance(k.cloned()), r, inst))
        })
    }

    /// Every deposed object: (instance address, deposed key, resource, object).
    pub fn deposed_objects(
        &self,
    ) -> impl Iterator<Item = (ResourceInstanceAddr, &str, &ResourceState, &InstanceState)> {
        self.resources().flat_map(|r| {
            let addr = r.addr();
            r.deposed()
                .map(move |(k, d, inst)| (addr.instance(k.cloned()), d, r, inst))
        })
    }

    /// The number of instances with a current object.
    pub fn instance_count(&self) -> usize {
        self.resources
            .values()
            .flat_map(|r| r.instances.values())
            .filter(|o| o.current.is_some())
            .count()
    }

    /// No resource and no output.
    pub fn is_empty(&self) -> bool {
        self.resources.is_empty() && self.outputs.is_empty()
    }

    /// Moves an instance (its current and deposed objects) to another address, as
    /// `state mv` and `moved` blocks do. The destination must hold nothing; a new destination
    /// resource takes the source resource's provider.
    pub fn move_instance(
        &mut self,
        from: &ResourceInstanceAddr,
        to: &ResourceInstanceAddr,
    ) -> Result<(), StateError> {
        if from == to {
            return Ok(());
        }
        let Some(source) = self.resources.get(&from.resource) else {
            return Err(StateError::MoveSourceMissing(format_instance_addr(from)));
        };
        if !source.instances.contains_key(&from.key) {
            return Err(StateError::MoveSourceMissing(format_instance_addr(from)));
        }
        if self.objects(to).is_some_and(|o| !o.is_empty()) {
            return Err(StateError::MoveTargetExists(format_instance_addr(to)));
        }
        let provider = source.provider.clone();
        let Some(objects) = self
            .resources
            .get_mut(&from.resource)
            .and_then(|r| r.instances.remove(&from.key))
        else {
            return Err(StateError::MoveSourceMissing(format_instance_addr(from)));
        };
        self.prune(from);
        *self.objects_entry(to, &provider) = objects;
        Ok(())
    }

    /// Moves a whole resource to another address. The destination must hold no object.
    pub fn move_resource(
        &mut self,
        from: &ResourceAddr,
        to: &ResourceAddr,
    ) -> Result<(), StateError> {
        if from == to {
            return Ok(());
        }
        if self.resources.get(to).is_some_and(|r| !r.is_empty()) {
            return Err(StateError::MoveTargetExists(to.to_string()));
        }
        let Some(mut resource) = self.remove_resource(from) else {
            return Err(StateError::MoveSourceMissing(from.to_string()));
        };
        resource.module = to.module.clone();
        resource.mode = to.mode;
        resource.type_name.clone_from(&to.type_name);
        resource.name.clone_from(&to.name);
        self.order.take();
        self.resources.insert(to.clone(), resource);
        Ok(())
    }

    pub fn output(&self, name: &str) -> Option<&OutputState> {
        self.outputs.get(name)
    }

    pub fn set_output(
        &mut self,
        name: impl Into<String>,
        output: OutputState,
    ) -> Option<OutputState> {
        self.outputs.insert(name.into(), output)
    }

    pub fn remove_output(&mut self, name: &str) -> Option<OutputState> {
        self.outputs.remove(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn addr(
        module: &[&str],
        type_name: &str,
        name: &str,
        key: Option<InstanceKey>,
    ) -> ResourceInstanceAddr {
        let mut m = ModuleInstance::root();
        for step in module {
            m = m.child(step, None);
        }
        ResourceAddr {
            module: m,
            mode: ResourceMode::Managed,
            type_name: type_name.into(),
            name: name.into(),
        }
        .instance(key)
    }

    const P: &str = "provider[\"registry.terraform.io/hashicorp/null\"]";

    #[test]
    fn instances_are_kept_in_terraforms_order_whatever_the_insertion_order() {
        let mut s = State::new("l");
        s.set(
            &addr(&["b"], "null_resource", "x", None),
            P,
            InstanceState::default(),
        );
        s.set(
            &addr(&[], "null_resource", "n", Some(InstanceKey::Int(10))),
            P,
            InstanceState::default(),
        );
        s.set(
            &addr(&[], "null_resource", "n", Some(InstanceKey::Int(2))),
            P,
            InstanceState::default(),
        );
        let data = ResourceAddr {
            module: ModuleInstance::root(),
            mode: ResourceMode::Data,
            type_name: "z_data".into(),
            name: "d".into(),
        };
        s.set(&data.instance(None), P, InstanceState::default());
        s.set(
            &addr(&[], "aws_vpc", "main", None),
            P,
            InstanceState::default(),
        );
        let order: Vec<String> = s.instances().map(|(a, _, _)| a.to_string()).collect();
        assert_eq!(
            order,
            [
                "data.z_data.d",
                "aws_vpc.main",
                "null_resource.n[2]",
                "null_resource.n[10]",
                "module.b.null_resource.x"
            ]
        );
        assert_eq!(s.instance_count(), 5);
    }

    #[test]
    fn the_order_follows_resources_added_or_removed_after_an_iteration() {
        let mut s = State::new("l");
        s.set(&addr(&[], "b_type", "x", None), P, InstanceState::default());
        assert_eq!(s.resource_addrs().count(), 1);
        s.set(&addr(&[], "a_type", "x", None), P, InstanceState::default());
        let names: Vec<String> = s.resource_addrs().map(|a| a.to_string()).collect();
        assert_eq!(names, ["a_type.x", "b_type.x"]);
        s.remove(&addr(&[], "a_type", "x", None));
        let names: Vec<String> = s.resource_addrs().map(|a| a.to_string()).collect();
        assert_eq!(names, ["b_type.x"]);
    }

    #[test]
    fn set_get_and_remove_by_address_and_the_last_removal_drops_the_resource() {
        let mut s = State::new("l");
        let a = addr(&[], "null_resource", "n", Some(InstanceKey::Int(0)));
        assert!(
            s.set(&a, P, InstanceState::new(json!({"id": "1"})))
                .is_none()
        );
        let old = s.set(&a, P, InstanceState::new(json!({"id": "2"})));
        assert_eq!(old.map(|o| o.attributes), Some(json!({"id": "1"})));
        assert_eq!(s.get(&a).map(|o| &o.attributes), Some(&json!({"id": "2"})));
        assert_eq!(
            s.resource(&a.resource).map(|r| r.provider.as_str()),
            Some(P)
        );
        assert!(s.remove(&a).is_some());
        assert!(s.get(&a).is_none());
        assert!(s.resource(&a.resource).is_none());
    }

    #[test]
    fn deposing_keeps_the_old_object_until_it_is_removed() {
        let mut s = State::new("l");
        let a = addr(&[], "null_resource", "n", None);
        s.set(&a, P, InstanceState::new(json!({"id": "old"})));
        assert!(s.depose(&a, "00000001"));
        assert!(s.get(&a).is_none());
        s.set(&a, P, InstanceState::new(json!({"id": "new"})));
        assert_eq!(s.deposed(&a).count(), 1);
        assert_eq!(s.deposed_objects().count(), 1);
        assert!(s.remove_deposed(&a, "00000001").is_some());
        assert_eq!(s.deposed(&a).count(), 0);
        assert!(s.get(&a).is_some());
    }

    #[test]
    fn moving_an_instance_or_a_resource_refuses_to_overwrite() {
        let mut s = State::new("l");
        let a = addr(&[], "null_resource", "a", None);
        let b = addr(
            &["m"],
            "null_resource",
            "b",
            Some(InstanceKey::Str("k".into())),
        );
        s.set(&a, P, InstanceState::new(json!({"id": "a"})));
        s.move_instance(&a, &b).unwrap();
        assert!(s.get(&a).is_none());
        assert!(s.resource(&a.resource).is_none());
        assert_eq!(s.get(&b).map(|o| &o.attributes), Some(&json!({"id": "a"})));
        s.set(&a, P, InstanceState::default());
        assert!(matches!(
            s.move_instance(&a, &b),
            Err(StateError::MoveTargetExists(_))
        ));
        let c = addr(&[], "null_resource", "c", None);
        assert!(matches!(
            s.move_instance(&c, &a),
            Err(StateError::MoveSourceMissing(_))
        ));
        s.move_resource(&b.resource, &c.resource).unwrap();
        let moved = c.resource.instance(Some(InstanceKey::Str("k".into())));
        assert!(s.get(&moved).is_some());
        assert!(s.move_resource(&c.resource, &a.resource).is_err());
    }
}
