/**
 * systemd's `a(sv)` property lists (SetUnitProperties, StartTransientUnit) built
 * from the link's typed properties: each value is checked against its own
 * signature and wrapped in the bus library's variant, whose constructor the
 * caller passes in. Pure.
 *
 * A signature that is not one complete type throws DbusSignatureError, a value
 * that does not fit its signature DbusValueError (both from the protocol
 * package); the message names the property.
 */
import { DbusSignatureError, jsonToDbus, splitSignature, type Json, type MakeVariant } from '@bluechi-ts/protocol';
import type { AuxUnit, TypedProperty } from './manager.js';

/** `a(sv)`: one [name, variant] pair per property, in the given order. */
export function propertyList(props: readonly TypedProperty[], makeVariant: MakeVariant): unknown[][] {
  return props.map(({ name, signature, value }) => {
    if (splitSignature(signature).length !== 1) {
      throw new DbusSignatureError(signature, `the value of property ${name} needs exactly one complete type`);
    }
    return [name, makeVariant(signature, jsonToDbus(signature, value as Json, makeVariant, name))];
  });
}

/** `a(sa(sv))`: StartTransientUnit's auxiliary units, each with its property list. */
export function auxUnitList(aux: readonly AuxUnit[], makeVariant: MakeVariant): unknown[][] {
  return aux.map((a) => [a.name, propertyList(a.properties, makeVariant)]);
}
