// The part of Angular's API that angular.ts uses, declared for this
// repository's type checks only: Angular is not among its dependencies (the
// real-app test installs it from the registry, test/scenarios/apps/angular.browser.test.ts).
// The built angular.d.ts imports Angular's own types, which an app has.
declare module '@angular/core' {
  export interface EnvironmentProviders {
    ɵbrand: 'EnvironmentProviders'
  }
  export const PLATFORM_ID: unknown
  export function inject<T>(token: abstract new (...args: never[]) => T, options: { optional: true }): T | null
  export function inject(token: unknown): unknown
  export function makeEnvironmentProviders(providers: unknown[]): EnvironmentProviders
  export function provideAppInitializer(initializer: () => unknown): EnvironmentProviders
}

declare module '@angular/common' {
  export function isPlatformBrowser(platformId: unknown): boolean
}

declare module '@angular/router' {
  export class NavigationError {
    error: unknown
  }
  export abstract class Router {
    events: { subscribe(next: (event: unknown) => void): unknown }
  }
}
