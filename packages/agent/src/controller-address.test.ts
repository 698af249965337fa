import { describe, expect, it } from 'vitest';
import { controllerUrl, formatControllerAddress, parseControllerAddress } from './controller-address.js';

describe('controller addresses', () => {
  it.each([
    ['tcp:host=10.0.0.1,port=842', 'ws://10.0.0.1:842/', 'tcp:host=10.0.0.1,port=842'],
    [' tcp:port=842, host=ctl.example ', 'ws://ctl.example:842/', 'tcp:host=ctl.example,port=842'],
    ['tcp:host=::1,port=842', 'ws://[::1]:842/', 'tcp:host=::1,port=842'],
    ['unix:path=/run/bluechi/bluechi.sock', 'ws+unix:/run/bluechi/bluechi.sock:/', 'unix:path=/run/bluechi/bluechi.sock'],
    ['unix:path=%2frun%2fx.sock', 'ws+unix:/run/x.sock:/', 'unix:path=/run/x.sock'],
    ['ws://127.0.0.1:9000/', 'ws://127.0.0.1:9000/', 'ws://127.0.0.1:9000/'],
  ])('%s dials %s and reads back as %s', (address, url, formatted) => {
    const parsed = parseControllerAddress(address);
    expect(controllerUrl(parsed)).toBe(url);
    expect(formatControllerAddress(parsed)).toBe(formatted);
    expect(parseControllerAddress(formatted)).toEqual(parsed);
  });

  it.each([
    ['', "Invalid ControllerAddress '': expected tcp:host=H,port=P, unix:path=P or a ws:// URL"],
    ['tcp:port=842', "Invalid ControllerAddress 'tcp:port=842': tcp addresses need host= and port="],
    ['tcp:host=h,port=x', "Invalid port format 'x'"],
    ['unix:abstract=x', "Invalid ControllerAddress 'unix:abstract=x': unix addresses need path="],
    ['unix:path=%zz', "Invalid ControllerAddress 'unix:path=%zz': malformed %-escape"],
    ['ws://', "Invalid ControllerAddress 'ws://': 'ws://' is not a usable WebSocket address"],
    ['tcp:host=a b,port=1', "Invalid ControllerAddress 'tcp:host=a b,port=1': 'ws://a b:1/' is not a usable WebSocket address"],
  ])('refuses %j', (address, message) => {
    expect(() => parseControllerAddress(address)).toThrow(message);
  });
});
